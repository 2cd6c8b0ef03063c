#pragma once
/// A small hand-written SVG builder: shapes and text with escaped labels.
#include <string>
#include <string_view>

namespace tessera::report {

/// Text with &, <, >, " and ' escaped for XML (SVG and HTML).
[[nodiscard]] std::string xml_escape(std::string_view text);

/// "12.3" style number with `significant` digits and no exponent for ordinary magnitudes.
[[nodiscard]] std::string svg_number(double value, int significant = 4);

/// Accumulates SVG elements; `render()` wraps them in an <svg> element with a viewBox.
class SvgWriter {
 public:
  SvgWriter(double width, double height);

  /// Rectangle; `title` (if any) becomes a tooltip.
  void rect(double x, double y, double w, double h, std::string_view fill,
            std::string_view title = {}, std::string_view stroke = {});
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1.0,
            bool dashed = false);
  /// Text anchored at (x, y); anchor is "start", "middle" or "end".
  void text(double x, double y, std::string_view text, double size = 12.0,
            std::string_view anchor = "start", std::string_view fill = "#222", bool bold = false,
            double rotate_deg = 0.0);
  void circle(double cx, double cy, double r, std::string_view fill, std::string_view stroke = {},
              double stroke_width = 1.0, std::string_view title = {});
  /// Open polyline through `points` ("x,y x,y ...").
  void polyline(std::string_view points, std::string_view stroke, double width = 1.5);
  /// Closed polygon through `points`.
  void polygon(std::string_view points, std::string_view fill, std::string_view stroke = {},
               std::string_view title = {});

  [[nodiscard]] double width() const { return width_; }
  [[nodiscard]] double height() const { return height_; }
  /// The complete <svg> element (with xmlns, so it is also a valid stand-alone file).
  [[nodiscard]] std::string render() const;

 private:
  double width_;
  double height_;
  std::string body_;
};

}  // namespace tessera::report
