#pragma once
/// Expected failures as values. A `Result<T>` holds either a value or the list of every
/// problem found (validators collect all of them before failing).
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tessera {

/// One problem in an input: where it is and what is wrong. `line` and `column` are 1-based;
/// 0 means unknown (for example a value built in code).
struct Diagnostic {
  std::string file{};
  int line = 0;
  int column = 0;
  std::string field{};
  std::string message{};

  /// "file:line: field: message", leaving out the parts that are unknown.
  [[nodiscard]] std::string to_string() const;
};

/// Joins diagnostics one per line.
[[nodiscard]] std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Diagnostic d) : state_(std::vector<Diagnostic>{std::move(d)}) {}  // NOLINT
  Result(std::vector<Diagnostic> ds) : state_(std::move(ds)) {}            // NOLINT

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  [[nodiscard]] T& value() & { return std::get<T>(state_); }
  [[nodiscard]] const T& value() const& { return std::get<T>(state_); }
  [[nodiscard]] T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const {
    return std::get<std::vector<Diagnostic>>(state_);
  }
  [[nodiscard]] std::string error_text() const { return format_diagnostics(diagnostics()); }

 private:
  std::variant<T, std::vector<Diagnostic>> state_;
};

/// A result with no value: success, or the problems found.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Diagnostic d) : diagnostics_{std::move(d)} {}                 // NOLINT
  Status(std::vector<Diagnostic> ds) : diagnostics_(std::move(ds)) {}  // NOLINT
  [[nodiscard]] bool ok() const { return diagnostics_.empty(); }
  explicit operator bool() const { return ok(); }
  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  [[nodiscard]] std::string error_text() const { return format_diagnostics(diagnostics_); }

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace tessera
