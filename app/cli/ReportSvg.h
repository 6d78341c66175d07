#pragma once
// What the HTML and XML reports of `plan` and `qa` share: escaping, writing a file under a
// temporary name then renaming it, and the SVG plot of cumulative DVHs.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace beamlet::cli {

/// Text escaped for XML/HTML content and attribute values (& < > " '); control characters other
/// than tab, newline and carriage return, which XML 1.0 does not allow, are dropped.
std::string escapeXml(const std::string& text);

/// Writes `text` to `path` + ".part", then renames it to `path`. Throws IoError naming the path.
void writeAtomically(const std::filesystem::path& path, const std::string& text);

/// `v` with `decimals` digits after the point ("%.*f").
std::string fixed(double v, int decimals);

/// "rgb(r,g,b)".
std::string svgColour(const std::array<std::uint8_t, 3>& colour);

struct DvhCurve {
  std::string name;
  std::array<std::uint8_t, 3> color{255, 0, 0};
  std::vector<std::pair<double, double>> points; ///< (Gy, % of volume receiving at least)
  bool dashed = false;
  bool legend = true; ///< named in the legend
};

/// An SVG plot of cumulative DVHs, 0 .. maxGy by 0 .. 100%, with a legend of the curves' names.
std::string dvhSvg(const std::vector<DvhCurve>& curves, double maxGy);

} // namespace beamlet::cli
