#include "ReportSvg.h"

#include "beamlet/core/Error.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

namespace fs = std::filesystem;

namespace beamlet::cli {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string escapeXml(const std::string& text) {
  std::string r;
  r.reserve(text.size());
  for (const char c : text) {
    switch (c) {
    case '<':
      r += "&lt;";
      break;
    case '>':
      r += "&gt;";
      break;
    case '&':
      r += "&amp;";
      break;
    case '"':
      r += "&quot;";
      break;
    case '\'':
      r += "&#39;";
      break;
    case '\t':
    case '\n':
    case '\r':
      r += c;
      break;
    default:
      if (static_cast<unsigned char>(c) >= 0x20) {
        r += c;
      }
    }
  }
  return r;
}

void writeAtomically(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".part";
  {
    std::ofstream file(temp, std::ios::binary);
    file << text;
    file.flush();
    if (!file) {
      throw IoError(withContext(path.string(), "cannot write"));
    }
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw IoError(withContext(path.string(), "cannot write"));
  }
}

std::string svgColour(const std::array<std::uint8_t, 3>& colour) {
  std::ostringstream s;
  s << "rgb(" << int(colour[0]) << "," << int(colour[1]) << "," << int(colour[2]) << ")";
  return s.str();
}

std::string dvhSvg(const std::vector<DvhCurve>& curves, double maxGy) {
  const double w = 640;
  const double h = 360;
  const double left = 50;
  const double bottom = 30;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
      << "' font-family='sans-serif' font-size='11'>";
  auto x = [&](double gy) { return left + (w - left - 10) * gy / maxGy; };
  auto y = [&](double pct) { return (h - bottom) * (1.0 - pct / 100.0) + 5; };
  svg << "<rect x='" << left << "' y='5' width='" << w - left - 10 << "' height='" << h - bottom - 5
      << "' fill='none' stroke='#888'/>";
  // Dose ticks at a round step (1, 2, 2.5 or 5 times a power of ten), about eight of them.
  const double raw = maxGy / 8.0;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10.0 * decade;
  for (const double m : {1.0, 2.0, 2.5, 5.0}) {
    if (m * decade >= raw) {
      step = m * decade;
      break;
    }
  }
  for (int t = 0; t * step <= maxGy * (1.0 + 1e-9); ++t) {
    svg << "<text x='" << x(t * step) << "' y='" << h - 12 << "' text-anchor='middle'>" << t * step
        << "</text>";
  }
  for (int t = 0; t <= 10; ++t) {
    svg << "<text x='" << left - 4 << "' y='" << y(10.0 * t) + 4 << "' text-anchor='end'>" << 10 * t
        << "</text>";
  }
  svg << "<text x='" << w / 2 << "' y='" << h - 1 << "' text-anchor='middle'>dose (Gy)</text>";
  int legend = 0;
  for (const DvhCurve& c : curves) {
    const std::string colour = svgColour(c.color);
    svg << "<polyline fill='none' stroke='" << colour << "' stroke-width='1.5'"
        << (c.dashed ? " stroke-dasharray='5,3'" : "") << " points='";
    for (const auto& [gy, pct] : c.points) {
      svg << x(gy) << "," << y(pct) << " ";
    }
    svg << "'/>";
    if (c.legend) {
      svg << "<text x='" << w - 140 << "' y='" << 20 + 14 * legend++ << "' fill='" << colour << "'>"
          << escapeXml(c.name) << "</text>";
    }
  }
  svg << "</svg>";
  return svg.str();
}

} // namespace beamlet::cli
