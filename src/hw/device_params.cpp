#include "tessera/hw/device_params.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tessera/core/spelling.hpp"

namespace tessera::hw {

ParamValue::ParamValue(Records v) : value_(std::move(v)) {}

double ParamValue::number() const {
  const double* v = std::get_if<double>(&value_);
  return v ? *v : 0.0;
}

const std::string& ParamValue::word() const {
  static const std::string kEmpty;
  const std::string* v = std::get_if<std::string>(&value_);
  return v ? *v : kEmpty;
}

const ParamValue::Records& ParamValue::records() const {
  static const Records kEmpty;
  const Records* v = std::get_if<Records>(&value_);
  return v ? *v : kEmpty;
}

std::string_view ParamValue::type_name() const {
  if (is_number()) return "a number";
  if (is_word()) return "a word";
  return "a list";
}

bool operator==(const ParamValue& a, const ParamValue& b) {
  return a.value_ == b.value_;
}

ParamValue& ParamRecord::operator[](std::string_view name) {
  auto it = values_.find(name);
  if (it == values_.end()) it = values_.emplace(std::string(name), ParamValue()).first;
  return it->second;
}

const ParamValue* ParamRecord::find(std::string_view name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

double ParamRecord::number(std::string_view name) const {
  const ParamValue* v = find(name);
  return v ? v->number() : 0.0;
}

std::int64_t ParamRecord::integer(std::string_view name) const {
  return static_cast<std::int64_t>(std::llround(number(name)));
}

bool ParamRecord::flag(std::string_view name) const {
  return number(name) != 0.0;
}

const std::string& ParamRecord::word(std::string_view name) const {
  static const std::string kEmpty;
  const ParamValue* v = find(name);
  return v ? v->word() : kEmpty;
}

const std::vector<ParamRecord>& ParamRecord::records(std::string_view name) const {
  static const std::vector<ParamRecord> kEmpty;
  const ParamValue* v = find(name);
  return v ? v->records() : kEmpty;
}

ParamSchema& ParamSchema::add(ParamSpec spec) {
  specs_.push_back(std::move(spec));
  return *this;
}

const ParamSpec* ParamSchema::find(std::string_view name) const {
  for (const auto& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// "a number >= 0", "an integer in [1, 8]", "a number > 0".
std::string range_text(const ParamSpec& s) {
  const bool low = std::isfinite(s.min);
  const bool high = std::isfinite(s.max);
  std::string what = s.type == ParamType::kInteger ? "an integer" : "a number";
  if (low && high && !s.min_exclusive) {
    return what + " in [" + number_text(s.min) + ", " + number_text(s.max) + "]";
  }
  if (low) what += (s.min_exclusive ? " > " : " >= ") + number_text(s.min);
  if (high) what += std::string(low ? " and" : "") + " <= " + number_text(s.max);
  return what;
}

bool in_range(const ParamSpec& s, double v) {
  if (s.min_exclusive ? !(v > s.min) : !(v >= s.min)) return false;
  return v <= s.max;
}

class Validator {
 public:
  explicit Validator(std::vector<Diagnostic>& problems) : problems_(problems) {}

  void error(std::string field, std::string message) {
    problems_.push_back(Diagnostic{"", 0, 0, std::move(field), std::move(message)});
  }

  ParamRecord record(const ParamSchema& schema, const ParamRecord& given, const std::string& path) {
    ParamRecord out;
    std::vector<std::string> known;
    for (const auto& s : schema.specs()) known.push_back(s.name);
    for (const auto& [name, value] : given) {
      if (schema.find(name) != nullptr) continue;
      std::string message = "unknown " + schema.owner() + " parameter";
      if (auto guess = closest_name(name, known)) {
        message += "; did you mean '" + *guess + "'?";
      } else if (!known.empty()) {
        message += " (known: " + join_names(known) + ")";
      } else {
        message += " (this kind takes no params)";
      }
      error(path + "." + name, message);
    }
    for (const auto& spec : schema.specs()) {
      const std::string field = path + "." + spec.name;
      const ParamValue* v = given.find(spec.name);
      if (v == nullptr) {
        if (spec.default_value) {
          out[spec.name] = *spec.default_value;
        } else {
          error(field, "missing required " + schema.owner() + " parameter");
        }
        continue;
      }
      if (auto checked = value(spec, *v, field)) out[spec.name] = std::move(*checked);
    }
    return out;
  }

 private:
  std::optional<ParamValue> value(const ParamSpec& spec, const ParamValue& v,
                                  const std::string& field) {
    switch (spec.type) {
      case ParamType::kNumber:
      case ParamType::kInteger:
        return number(spec, v, field);
      case ParamType::kFlag:
        if (v.is_number() && (v.number() == 0.0 || v.number() == 1.0)) return v;
        if (v.is_word() && (v.word() == "true" || v.word() == "false")) {
          return ParamValue(v.word() == "true");
        }
        error(field, spec.rule.empty() ? "must be 0 or 1 (false or true), got " + describe(v)
                                       : spec.rule + ", got " + describe(v));
        return std::nullopt;
      case ParamType::kWord:
        return word(spec, v, field);
      case ParamType::kRecords:
        return records(spec, v, field);
    }
    return std::nullopt;
  }

  std::optional<ParamValue> number(const ParamSpec& spec, const ParamValue& v,
                                   const std::string& field) {
    if (!v.is_number()) {
      error(field, "expected " + range_text(spec) + ", got " + describe(v));
      return std::nullopt;
    }
    const double x = v.number();
    if (!std::isfinite(x)) {
      error(field, "must be a finite number");
      return std::nullopt;
    }
    if (spec.type == ParamType::kInteger && x != std::floor(x)) {
      error(field, "expected an integer, got " + number_text(x));
      return std::nullopt;
    }
    if (!in_range(spec, x)) {
      error(field, spec.rule.empty()
                       ? "must be " + range_text(spec) + " (got " + number_text(x) + ")"
                       : spec.rule + " (got " + number_text(x) + ")");
      return std::nullopt;
    }
    return v;
  }

  std::optional<ParamValue> word(const ParamSpec& spec, const ParamValue& v,
                                 const std::string& field) {
    if (!v.is_word()) {
      error(field, "expected a word, got " + describe(v));
      return std::nullopt;
    }
    if (!spec.choices.empty() &&
        std::find(spec.choices.begin(), spec.choices.end(), v.word()) == spec.choices.end()) {
      error(field, spec.rule.empty()
                       ? "must be one of " + join_names(spec.choices) + " (got '" + v.word() + "')"
                       : spec.rule + " (got '" + v.word() + "')");
      return std::nullopt;
    }
    return v;
  }

  std::optional<ParamValue> records(const ParamSpec& spec, const ParamValue& v,
                                    const std::string& field) {
    if (!v.is_records()) {
      error(field, "expected a list of records, got " + describe(v));
      return std::nullopt;
    }
    if (v.records().size() < spec.min_records) {
      error(field, "needs at least " + std::to_string(spec.min_records) + " entries (got " +
                       std::to_string(v.records().size()) + ")");
      return std::nullopt;
    }
    ParamValue::Records out;
    const std::size_t before = problems_.size();
    for (std::size_t i = 0; i < v.records().size(); ++i) {
      const std::string at = field + "[" + std::to_string(i) + "]";
      out.push_back(spec.fields ? record(*spec.fields, v.records()[i], at) : v.records()[i]);
    }
    if (problems_.size() != before) return std::nullopt;
    return ParamValue(std::move(out));
  }

  static std::string describe(const ParamValue& v) {
    if (v.is_number()) return number_text(v.number());
    if (v.is_word()) return "'" + v.word() + "'";
    return "a list";
  }

  std::vector<Diagnostic>& problems_;
};

}  // namespace

ParamRecord ParamSchema::read(const ParamRecord& given, std::string_view path,
                              std::vector<Diagnostic>& problems) const {
  Validator check(problems);
  return check.record(*this, given, std::string(path));
}

Result<ParamRecord> ParamSchema::validate(const ParamRecord& given, std::string_view path) const {
  std::vector<Diagnostic> problems;
  ParamRecord out = read(given, path, problems);
  if (!problems.empty()) return problems;
  return out;
}

}  // namespace tessera::hw
