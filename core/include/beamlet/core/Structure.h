#pragma once
// Structures (regions of interest) as planar contours in patient coordinates, the form DICOM
// RTSTRUCT stores them in. Masks on a grid are made from them by the contour rasteriser.

#include "beamlet/core/ImageGeometry.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace beamlet {

/// One closed planar polygon (points in LPS mm, in order; the last connects back to the first).
struct Contour {
  std::vector<Vec3> points;
  std::string geometricType = "CLOSED_PLANAR"; ///< DICOM ContourGeometricType
};

struct Structure {
  int roiNumber = 0; ///< ROI Number: the identity of the structure within its set
  std::string name;  ///< ROI Name as given (TG-263 where known)
  std::array<std::uint8_t, 3> color{255, 0, 0};
  std::string type; ///< RT ROI Interpreted Type: PTV, CTV, GTV, ORGAN, EXTERNAL, ...
  std::vector<Contour> contours;

  bool empty() const { return contours.empty(); }
};

struct StructureSet {
  std::string label;
  std::string sopInstanceUid;
  std::string frameOfReferenceUid; ///< empty when the file does not say
  std::vector<std::string> referencedSeriesUids;
  std::vector<std::string> referencedImageUids; ///< SOP Instance UIDs the contours were drawn on
  std::vector<Structure> structures;
  std::vector<std::string> warnings; ///< tolerated problems (vendor quirks)

  /// The structure with this ROI number / name (exact, then case-insensitive), or nullptr.
  const Structure* findByNumber(int roiNumber) const;
  const Structure* findByName(const std::string& name) const;
};

} // namespace beamlet
