// Renders the HTML report in headless Chromium: the page draws something and logs no errors.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_runner.hpp"

namespace tessera {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

/// Total size of the PNG's compressed image data (IDAT chunks): a blank (single-colour) page
/// compresses to a tiny, repetitive IDAT stream, a drawn one does not.
std::size_t idat_bytes(const std::string& png) {
  std::size_t total = 0;
  std::size_t pos = 8;  // after the signature
  while (pos + 8 <= png.size()) {
    const auto len = (static_cast<std::size_t>(static_cast<unsigned char>(png[pos])) << 24) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(png[pos + 1])) << 16) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(png[pos + 2])) << 8) |
                     static_cast<std::size_t>(static_cast<unsigned char>(png[pos + 3]));
    if (png.compare(pos + 4, 4, "IDAT") == 0) total += len;
    pos += 12 + len;
  }
  return total;
}

TEST(ReportBrowser, ChromiumRendersThePlanReportWithoutErrors) {
  if (!std::filesystem::exists(kChromium))
    GTEST_SKIP() << kChromium << " is absent: install Debian's chromium (scripts/install-deps.sh)";
  const testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const auto report = dir + "/report.html";
  auto r =
      testing::run_cli({"plan", "vgg16", "--platform", "cluster-homogeneous", "--report", report});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto png = dir + "/shot.png";
  const auto log = dir + "/chromium.log";
  const std::string cmd = std::string(kChromium) +
                          " --headless --no-sandbox --disable-gpu --no-first-run"
                          " --disable-background-networking --disable-component-update"
                          " --disable-sync --enable-logging=stderr --v=0 --user-data-dir=" +
                          dir + "/profile --screenshot=" + png + " --window-size=1200,900 file://" +
                          report + " > " + log + " 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << cmd;
  EXPECT_EQ(WEXITSTATUS(status), 0) << testing::read_file(log);
  ASSERT_TRUE(std::filesystem::exists(png)) << testing::read_file(log);
  const auto image = testing::read_file(png);
  ASSERT_GT(image.size(), 8U);
  EXPECT_EQ(image.compare(1, 3, "PNG"), 0);
  // A blank 1200x900 page compresses to a few kilobytes; the report's tables and charts
  // give tens of kilobytes.
  EXPECT_GT(idat_bytes(image), 20000U) << "the screenshot looks blank";
  const auto text = testing::read_file(log);
  EXPECT_EQ(text.find("Uncaught"), std::string::npos) << text;
  EXPECT_EQ(text.find("ERROR:CONSOLE"), std::string::npos) << text;
  EXPECT_EQ(text.find("Failed to load resource"), std::string::npos) << text;
}

}  // namespace
}  // namespace tessera
