#include "json_document.hpp"

#include <charconv>
#include <cstdio>
#include <iterator>

namespace tessera::io::detail {

namespace {

using nlohmann::json;

/// Where the reader is: the line of the last character the parser consumed.
struct ReadPosition {
  int line = 1;       ///< line of the next character
  int last_line = 1;  ///< line of the character read last
};

/// A character iterator that counts lines as nlohmann's lexer consumes it (the lexer reads at
/// most one character past a token, and never a newline that belongs to the next one).
class LineCountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  LineCountingIterator(const char* p, ReadPosition* pos) : p_(p), pos_(pos) {}
  reference operator*() const { return *p_; }
  LineCountingIterator& operator++() {
    pos_->last_line = pos_->line;
    if (*p_ == '\n') ++pos_->line;
    ++p_;
    return *this;
  }
  LineCountingIterator operator++(int) {
    auto copy = *this;
    ++*this;
    return copy;
  }
  bool operator==(const LineCountingIterator& other) const { return p_ == other.p_; }
  bool operator!=(const LineCountingIterator& other) const { return p_ != other.p_; }

 private:
  const char* p_;
  ReadPosition* pos_;
};

/// Printable text of bytes from the input: control and non-ASCII bytes as \xNN.
std::string printable(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

/// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1,
/// column 2: " prefix (the diagnostic carries the position).
std::string library_message(const std::string& what) {
  std::string m = what;
  if (m.rfind("[json.exception.", 0) == 0) {
    const auto close = m.find("] ");
    if (close != std::string::npos) m = m.substr(close + 2);
  }
  if (m.rfind("parse error", 0) == 0) {
    const auto colon = m.find(": ");
    if (colon != std::string::npos) m = m.substr(colon + 2);
  }
  return printable(m);
}

/// Builds the document (nlohmann's DOM builder) and records each value's line and path.
class LineRecordingSax {
 public:
  LineRecordingSax(JsonDocument& doc, const ReadPosition& pos)
      : doc_(doc), pos_(pos), dom_(doc.root, false) {}

  bool null() { return value() && dom_.null(); }
  bool boolean(bool v) { return value() && dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return value() && dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value() && dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return value() && dom_.number_float(v, s);
  }
  bool string(json::string_t& v) { return value() && dom_.string(v); }
  bool binary(json::binary_t& v) { return value() && dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (!open()) return false;
    frames_.push_back({false, 0, path_, {}});
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    frames_.back().key = k;
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (!open()) return false;
    frames_.push_back({true, 0, path_, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  bool parse_error(std::size_t /*position*/, const std::string& last_token,
                   const json::exception& e) {
    if (error_.message.empty()) {
      error_.line = pos_.last_line;
      error_.message = e.id == 406 ? "number " + printable(last_token) +
                                         " is out of range (a JSON number must fit a double, "
                                         "|x| < 1.8e308)"
                                   : "JSON syntax error: " + library_message(e.what());
    }
    return false;
  }

  Diagnostic error_;

 private:
  struct Frame {
    bool array = false;
    std::size_t next = 0;  ///< next element's index (arrays)
    std::string path;      ///< the container's own path
    std::string key;       ///< last key read (objects)
  };

  /// Records the line of the value starting now; sets path_ to its path.
  bool value() {
    if (frames_.empty()) {
      path_.clear();
      doc_.record_member("", pos_.last_line);
      return true;
    }
    Frame& f = frames_.back();
    if (f.array) {
      path_ = element_path(f.path, f.next++);
      doc_.record_element(f.path, pos_.last_line);
    } else {
      path_ = member_path(f.path, f.key);
      doc_.record_member(path_, pos_.last_line);
    }
    return true;
  }
  bool open() {
    value();
    if (frames_.size() >= kMaxJsonDepth) {
      error_.line = pos_.last_line;
      error_.message = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    return true;
  }

  JsonDocument& doc_;
  const ReadPosition& pos_;
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::vector<Frame> frames_;
  std::string path_;
};

}  // namespace

std::string member_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string element_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string json_kind(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

int JsonDocument::line_of(std::string_view field) const {
  std::string path(field);
  while (true) {
    if (const auto it = member_lines_.find(path); it != member_lines_.end()) return it->second;
    if (path.empty()) return 0;
    // "a.b[3]": element 3 of array "a.b"; "a.b": member b of "a".
    if (path.back() == ']') {
      const auto open = path.rfind('[');
      if (open == std::string::npos) return 0;
      const std::string parent = path.substr(0, open);
      std::size_t index = 0;
      const auto* first = path.data() + open + 1;
      const auto* last = path.data() + path.size() - 1;
      const auto parsed = std::from_chars(first, last, index);
      const auto it = element_lines_.find(parent);
      if (parsed.ec == std::errc() && it != element_lines_.end() && index < it->second.size())
        return it->second[index];
      path = parent;
      continue;
    }
    const auto dot = path.rfind('.');
    path = dot == std::string::npos ? std::string() : path.substr(0, dot);
  }
}

Result<JsonDocument> parse_json_document(std::string_view text, const std::string& file) {
  JsonDocument doc;
  ReadPosition pos;
  LineRecordingSax sax(doc, pos);
  const bool ok = json::sax_parse(LineCountingIterator(text.data(), &pos),
                                  LineCountingIterator(text.data() + text.size(), &pos), &sax);
  if (!ok) {
    Diagnostic d = sax.error_;
    d.file = file;
    if (d.message.empty()) d.message = "JSON syntax error: not a JSON document";
    return d;
  }
  return doc;
}

}  // namespace tessera::io::detail
