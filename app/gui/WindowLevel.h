#pragma once
// Window/level: the linear map from voxel values (HU for CT) to display grey, as radiology viewers
// define it. Kept free of Qt widgets so it can be tested without a display.

#include <QString>

#include <cstdint>
#include <vector>

namespace beamlet {
class Image;
}

namespace beamlet::gui {

struct WindowLevel {
  double width = 400.0; ///< value range shown from black to white (>= 1)
  double level = 40.0;  ///< value shown as mid grey

  double lower() const { return level - 0.5 * width; }
  double upper() const { return level + 0.5 * width; }
  /// Grey 0..255: lower() and below are black, upper() and above white, linear in between.
  std::uint8_t grey(double value) const;

  bool operator==(const WindowLevel& other) const {
    return width == other.width && level == other.level;
  }
  bool operator!=(const WindowLevel& other) const { return !(*this == other); }
};

/// A named window/level. `automatic` presets are computed from the image (see autoWindowLevel).
struct WindowPreset {
  QString name;
  WindowLevel windowLevel;
  bool automatic = false;
};

/// The presets the GUI offers, in menu order: Soft tissue, Lung, Bone, Brain, Auto (1-99%).
const std::vector<WindowPreset>& windowPresets();

/// Window spanning the 1st to 99th percentile of the image's values, so that a few extreme voxels
/// (metal, padding) do not wash out an image whose units have no standard window (MR, PET).
WindowLevel autoWindowLevel(const Image& image);

} // namespace beamlet::gui
