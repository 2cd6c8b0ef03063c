#pragma once
/// Shared pieces of the `tessera` command line: exit codes and output.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "tessera/core/result.hpp"

namespace tessera::cli {

/// The CLI contract (DESIGN.md): 0 success, 1 internal error, 2 bad input, 3 infeasible.
enum ExitCode : int { kOk = 0, kInternalError = 1, kBadInput = 2, kInfeasible = 3 };

/// Prints "tessera: error: ..." for each diagnostic (the first kMaxPrintedErrors, then a count)
/// and returns kBadInput.
int report_bad_input(const std::vector<Diagnostic>& diagnostics);
/// Most diagnostics report_bad_input prints; the rest are counted on one line.
inline constexpr std::size_t kMaxPrintedErrors = 20;

/// Writes `text` to `path` ("-" = stdout). Returns false and reports when the file cannot be
/// written.
bool write_output(const std::string& path, const std::string& text);

/// Limits of the simulation options (docs/formats.md, "Limits").
inline constexpr std::int64_t kMaxSimulatedInferences = 10'000'000;
inline constexpr std::int64_t kMaxQueueSlots = 1024;
/// Timed and warm-up inferences of `tessera run` (and profile's runs).
inline constexpr std::int64_t kMaxRunInferences = 10'000'000;
/// Seeds (--random-weights, --seed): any non-negative 64-bit integer.
inline constexpr std::int64_t kMaxSeed = INT64_MAX;

/// Option checks with short messages ("must be a number from 0 to 1, got nan"): NaN and
/// infinities are rejected, and no bound is printed with 300 digits.
[[nodiscard]] CLI::Validator number_in(double min, double max);
/// A finite number > 0.
[[nodiscard]] CLI::Validator positive_number();
/// A whole number in [min, max].
[[nodiscard]] CLI::Validator whole_number_in(std::int64_t min, std::int64_t max);

/// Help shows every option's default, except a default its own range check refuses: that is
/// a "not given" sentinel (--batch 0 = the model's or PipeEdge's default, --period-cap-s 0 =
/// no cap), which help showed as "INT in [1, 65536]=0". The option's description says what not
/// giving it means.
void hide_sentinel_defaults(CLI::App& app);

/// CLI11's failure message as Tessera prints errors: "tessera: error: ...", with a
/// "did you mean" for a misspelt subcommand or option.
[[nodiscard]] std::string failure_message(const CLI::App* app, const CLI::Error& e);

}  // namespace tessera::cli
