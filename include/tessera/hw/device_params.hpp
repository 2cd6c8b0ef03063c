#pragma once
/// Kind-specific device parameters: the values a platform gives under a device's `params`, and
/// the schema each device kind declares for them (names, types, units, ranges, defaults, lists
/// of sub-records). `hw` stores and validates them but never interprets them: only the kind's
/// cost model does (cost/<kind>/).
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tessera/core/result.hpp"

namespace tessera::hw {

class ParamRecord;

/// One parameter value as written: a number, a word, or a list of records (for a kind whose
/// devices are made of parts, such as the compute units of an SoC).
class ParamValue {
 public:
  using Records = std::vector<ParamRecord>;

  // Defined after ParamRecord: constructing the variant needs the complete record type (clang
  // with libstdc++ insists).
  ParamValue();
  ParamValue(double v);        // NOLINT(google-explicit-constructor)
  ParamValue(int v);           // NOLINT(google-explicit-constructor)
  ParamValue(std::int64_t v);  // NOLINT(google-explicit-constructor)
  ParamValue(bool v);          // NOLINT(google-explicit-constructor)
  ParamValue(std::string v);   // NOLINT(google-explicit-constructor)
  ParamValue(const char* v);   // NOLINT(google-explicit-constructor)
  ParamValue(Records v);       // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool is_number() const { return std::holds_alternative<double>(value_); }
  [[nodiscard]] bool is_word() const { return std::holds_alternative<std::string>(value_); }
  [[nodiscard]] bool is_records() const { return std::holds_alternative<Records>(value_); }
  /// The value; 0, "" or no records when it holds another type.
  [[nodiscard]] double number() const;
  [[nodiscard]] const std::string& word() const;
  [[nodiscard]] const Records& records() const;
  /// "a number", "a word", "a list".
  [[nodiscard]] std::string_view type_name() const;

  friend bool operator==(const ParamValue&, const ParamValue&);

 private:
  std::variant<double, std::string, Records> value_;
};

/// Parameters by name. After `ParamSchema::validate` every parameter of the schema is present
/// (defaults filled in) with the declared type, so the typed getters below cannot miss.
class ParamRecord {
 public:
  using Map = std::map<std::string, ParamValue, std::less<>>;

  ParamRecord() = default;
  ParamRecord(std::initializer_list<Map::value_type> values) : values_(values) {}

  /// Inserts `name` (as 0) when absent.
  ParamValue& operator[](std::string_view name);
  [[nodiscard]] const ParamValue* find(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return find(name) != nullptr; }
  [[nodiscard]] bool empty() const { return values_.empty(); }
  [[nodiscard]] std::size_t size() const { return values_.size(); }
  [[nodiscard]] Map::const_iterator begin() const { return values_.begin(); }
  [[nodiscard]] Map::const_iterator end() const { return values_.end(); }

  /// Typed reads of a validated record (0, false, "" or no records when `name` is absent).
  [[nodiscard]] double number(std::string_view name) const;
  [[nodiscard]] std::int64_t integer(std::string_view name) const;
  [[nodiscard]] bool flag(std::string_view name) const;
  [[nodiscard]] const std::string& word(std::string_view name) const;
  [[nodiscard]] const std::vector<ParamRecord>& records(std::string_view name) const;

  friend bool operator==(const ParamRecord&, const ParamRecord&) = default;

 private:
  Map values_;
};

inline ParamValue::ParamValue() : value_(0.0) {}
inline ParamValue::ParamValue(double v) : value_(v) {}
inline ParamValue::ParamValue(int v) : value_(static_cast<double>(v)) {}
inline ParamValue::ParamValue(std::int64_t v) : value_(static_cast<double>(v)) {}
inline ParamValue::ParamValue(bool v) : value_(v ? 1.0 : 0.0) {}
inline ParamValue::ParamValue(std::string v) : value_(std::move(v)) {}
inline ParamValue::ParamValue(const char* v) : value_(std::string(v)) {}

/// The declared type of a parameter.
enum class ParamType {
  kNumber,   ///< a finite real number
  kInteger,  ///< a whole number (written without a fraction)
  kFlag,     ///< 0 or 1 (also written false or true)
  kWord,     ///< a single word, optionally one of `ParamSpec::choices`
  kRecords,  ///< a list of records, each checked against `ParamSpec::fields`
};

class ParamSchema;

/// One parameter a kind accepts.
struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kNumber;
  /// Unit of a number ("nm", "ohm", "pJ", "bytes", ...), for documentation and reports; empty
  /// for counts and ratios.
  std::string unit;
  std::string doc;
  /// Used when the parameter is not given; nullopt makes it required.
  std::optional<ParamValue> default_value;
  /// Allowed range of a number or integer; `min_exclusive` makes it min < value.
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  /// Allowed words (empty: any word).
  std::vector<std::string> choices;
  /// Replaces the generic range or choice message (e.g. why only one choice is modelled).
  std::string rule;
  /// kRecords: the schema of each record and the fewest records allowed.
  std::shared_ptr<const ParamSchema> fields;
  std::size_t min_records = 0;
};

/// The parameters of one device kind (or of one record type inside it).
class ParamSchema {
 public:
  /// `owner` names the kind in messages ("unknown CIM parameter").
  explicit ParamSchema(std::string owner) : owner_(std::move(owner)) {}

  ParamSchema& add(ParamSpec spec);
  [[nodiscard]] const std::string& owner() const { return owner_; }
  [[nodiscard]] const std::vector<ParamSpec>& specs() const { return specs_; }
  [[nodiscard]] const ParamSpec* find(std::string_view name) const;

  /// Checks `given` against the schema and returns it with every default filled in and every
  /// integer and flag rounded to its type, or every problem found: an unknown name (with the
  /// closest known one), a missing required parameter, a word where a number is expected (and
  /// the reverse), a fraction for an integer, a value out of range or not among the choices,
  /// and the same inside every record of a list. Each diagnostic's field is the path of the
  /// value below `path` (`params.tiles`, `params.units[1].name`).
  [[nodiscard]] Result<ParamRecord> validate(const ParamRecord& given,
                                             std::string_view path = "params") const;
  /// As `validate`, but always returns what could be read (values with a problem are left
  /// out, so checks across parameters can still run on the rest) and appends every problem to
  /// `problems`.
  [[nodiscard]] ParamRecord read(const ParamRecord& given, std::string_view path,
                                 std::vector<Diagnostic>& problems) const;

 private:
  std::string owner_;
  std::vector<ParamSpec> specs_;
};

}  // namespace tessera::hw
