#include "cli.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

#include "tessera/core/spelling.hpp"

namespace tessera::cli {

int report_bad_input(const std::vector<Diagnostic>& diagnostics) {
  // A file with one mistake repeated thousands of times (every entry of a generated list) gets
  // the first few and a count, not a screenful per entry.
  const std::size_t shown = std::min(diagnostics.size(), kMaxPrintedErrors);
  for (std::size_t i = 0; i < shown; ++i)
    std::cerr << "tessera: error: " << diagnostics[i].to_string() << '\n';
  if (diagnostics.size() > shown)
    std::cerr << "tessera: error: ... and " << diagnostics.size() - shown << " more (fix the "
              << shown << " above and run again)\n";
  return kBadInput;
}

bool write_output(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text << std::flush;
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  if (out) out << text;
  if (!out) {
    std::cerr << "tessera: error: " << path << ": cannot write output file\n";
    return false;
  }
  return true;
}

}  // namespace tessera::cli

namespace tessera::cli {

namespace {

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// The whole of `text` as a finite double, or nothing.
std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v) || errno == ERANGE)
    return std::nullopt;
  return v;
}

}  // namespace

CLI::Validator number_in(double min, double max) {
  const std::string range = "a number from " + short_number(min) + " to " + short_number(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        const auto v = parse_number(text);
        if (!v || *v < min || *v > max) return "must be " + range + ", got '" + text + "'";
        return {};
      },
      "NUMBER in [" + short_number(min) + ", " + short_number(max) + "]", "number_in");
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const auto v = parse_number(text);
        if (!v || *v <= 0.0) return "must be a positive number, got '" + text + "'";
        return {};
      },
      "NUMBER > 0", "positive_number");
}

CLI::Validator whole_number_in(std::int64_t min, std::int64_t max) {
  const std::string range =
      "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        std::int64_t v = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < min || v > max)
          return "must be " + range + ", got '" + text + "'";
        return {};
      },
      "INT in [" + std::to_string(min) + ", " + std::to_string(max) + "]", "whole_number_in");
}

void hide_sentinel_defaults(CLI::App& app) {
  for (CLI::App* cmd : app.get_subcommands([](const CLI::App*) { return true; })) {
    for (CLI::Option* opt : cmd->get_options()) {
      std::string value = opt->get_default_str();
      if (value.empty()) continue;
      for (const char* check : {"whole_number_in", "number_in", "positive_number"}) {
        try {
          if (!(*opt->get_validator(check))(value).empty()) opt->default_str("");
        } catch (const CLI::OptionNotFound&) {
          // not checked by this validator
        }
      }
    }
  }
}

std::string failure_message(const CLI::App* app, const CLI::Error& e) {
  std::string message = e.what();
  // A misspelt subcommand or option: the closest name the command knows.
  // The subcommand being parsed, when there is one: its options are the candidates.
  const CLI::App* cmd = app->get_subcommands().empty() ? nullptr : app->get_subcommands().front();
  std::vector<std::string> names;
  std::vector<std::string> commands;
  if (cmd == nullptr) {
    for (const auto* sub : app->get_subcommands({})) commands.push_back(sub->get_name());
    names = commands;
  }
  for (const auto* opt : (cmd ? cmd : app)->get_options()) {
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
  }
  std::string hint;
  const std::string prefix = "The following arguments were not expected: ";
  if (cmd == nullptr && !app->remaining().empty()) {
    // "tessera pln", "tessera --hepl": an unknown command or option.
    const std::string word = app->remaining().front();
    const bool option = word.rfind('-', 0) == 0;
    message = option ? "unknown option '" + word + "'"
                     : "unknown command '" + word + "' (commands: " + join_names(commands) + ")";
    if (auto near = closest_name(word, names)) message += "; did you mean '" + *near + "'?";
  } else if (cmd == nullptr && message == "A subcommand is required") {
    message = "a command is required (" + join_names(commands) + ")";
  } else if (message.rfind(prefix, 0) == 0) {
    std::string rest = message.substr(prefix.size());
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start < rest.size()) {
      auto end = rest.find(' ', start);
      if (end == std::string::npos) end = rest.size();
      if (end > start) words.push_back(rest.substr(start, end - start));
      start = end + 1;
    }
    std::reverse(words.begin(), words.end());  // CLI11 lists them last first
    for (const auto& w : words) {
      const auto eq = w.find('=');
      const std::string word = eq == std::string::npos ? w : w.substr(0, eq);
      if (auto near = closest_name(word, names)) {
        hint = "; did you mean '" + *near + "'?";
        break;
      }
    }
    message = "unexpected argument" + std::string(words.size() == 1 ? " " : "s ") +
              join_names(words, " ") + hint;
  } else if (const auto pos = message.find(" not in {"); pos != std::string::npos) {
    // "--objective: wieghted not in {throughput,...}": suggest the closest member.
    const auto colon = message.find(": ");
    const auto close = message.find('}', pos);
    if (colon != std::string::npos && colon < pos && close != std::string::npos) {
      const std::string given = message.substr(colon + 2, pos - colon - 2);
      std::vector<std::string> members;
      std::string list = message.substr(pos + 9, close - pos - 9);
      std::size_t start = 0;
      while (start <= list.size()) {
        auto end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        members.push_back(list.substr(start, end - start));
        start = end + 1;
      }
      message = message.substr(0, colon) + ": unknown value '" + given + "' (one of " +
                join_names(members) + ")";
      if (auto near = closest_name(given, members)) message += "; did you mean '" + *near + "'?";
    }
  }
  std::string out = "tessera: error: " + message + "\n";
  out += "Run 'tessera" + (cmd ? " " + cmd->get_name() : std::string()) +
         " --help' for more information.\n";
  return out;
}

}  // namespace tessera::cli
