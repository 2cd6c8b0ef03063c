#include "tessera/report/svg_writer.hpp"

#include <cmath>
#include <cstdio>

namespace tessera::report {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string svg_number(double value, int significant) {
  if (!std::isfinite(value)) return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", significant, value);
  return buf;
}

namespace {

std::string n(double v) {
  return svg_number(v, 6);
}

std::string title_element(std::string_view title) {
  return title.empty() ? std::string() : "<title>" + xml_escape(title) + "</title>";
}

}  // namespace

SvgWriter::SvgWriter(double width, double height) : width_(width), height_(height) {}

void SvgWriter::rect(double x, double y, double w, double h, std::string_view fill,
                     std::string_view title, std::string_view stroke) {
  body_ += "<rect x=\"" + n(x) + "\" y=\"" + n(y) + "\" width=\"" + n(std::max(w, 0.0)) +
           "\" height=\"" + n(std::max(h, 0.0)) + "\" fill=\"" + xml_escape(fill) + "\"";
  if (!stroke.empty()) body_ += " stroke=\"" + xml_escape(stroke) + "\"";
  body_ += title.empty() ? "/>\n" : ">" + title_element(title) + "</rect>\n";
}

void SvgWriter::line(double x1, double y1, double x2, double y2, std::string_view stroke,
                     double width, bool dashed) {
  body_ += "<line x1=\"" + n(x1) + "\" y1=\"" + n(y1) + "\" x2=\"" + n(x2) + "\" y2=\"" + n(y2) +
           "\" stroke=\"" + xml_escape(stroke) + "\" stroke-width=\"" + n(width) + "\"" +
           (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>\n";
}

void SvgWriter::text(double x, double y, std::string_view text, double size,
                     std::string_view anchor, std::string_view fill, bool bold, double rotate_deg) {
  body_ += "<text x=\"" + n(x) + "\" y=\"" + n(y) + "\" font-size=\"" + n(size) +
           "\" text-anchor=\"" + xml_escape(anchor) + "\" fill=\"" + xml_escape(fill) + "\"" +
           (bold ? " font-weight=\"bold\"" : "");
  if (rotate_deg != 0.0)
    body_ += " transform=\"rotate(" + n(rotate_deg) + " " + n(x) + " " + n(y) + ")\"";
  body_ += ">" + xml_escape(text) + "</text>\n";
}

void SvgWriter::circle(double cx, double cy, double r, std::string_view fill,
                       std::string_view stroke, double stroke_width, std::string_view title) {
  body_ += "<circle cx=\"" + n(cx) + "\" cy=\"" + n(cy) + "\" r=\"" + n(r) + "\" fill=\"" +
           xml_escape(fill) + "\"";
  if (!stroke.empty())
    body_ += " stroke=\"" + xml_escape(stroke) + "\" stroke-width=\"" + n(stroke_width) + "\"";
  body_ += title.empty() ? "/>\n" : ">" + title_element(title) + "</circle>\n";
}

void SvgWriter::polyline(std::string_view points, std::string_view stroke, double width) {
  body_ += "<polyline points=\"" + xml_escape(points) + "\" fill=\"none\" stroke=\"" +
           xml_escape(stroke) + "\" stroke-width=\"" + n(width) + "\"/>\n";
}

void SvgWriter::polygon(std::string_view points, std::string_view fill, std::string_view stroke,
                        std::string_view title) {
  body_ += "<polygon points=\"" + xml_escape(points) + "\" fill=\"" + xml_escape(fill) + "\"";
  if (!stroke.empty()) body_ += " stroke=\"" + xml_escape(stroke) + "\"";
  body_ += title.empty() ? "/>\n" : ">" + title_element(title) + "</polygon>\n";
}

std::string SvgWriter::render() const {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + n(width_) + "\" height=\"" +
         n(height_) + "\" viewBox=\"0 0 " + n(width_) + " " + n(height_) +
         "\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" "
         "height=\"100%\" fill=\"#ffffff\"/>\n" +
         body_ + "</svg>\n";
}

}  // namespace tessera::report
