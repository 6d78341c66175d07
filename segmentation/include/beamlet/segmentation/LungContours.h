#pragma once
// Lung_L and Lung_R on a CT: the classical threshold-and-components method (after Hu, Hoffman and
// Reinhardt, "Automatic lung segmentation for accurate quantitation of volumetric X-ray CT images",
// IEEE TMI 20 (2001) 490-498, doi:10.1109/42.929615), with the left-right split done by erosion.

#include "beamlet/core/Image.h"
#include "beamlet/core/Volume.h"

#include <string>
#include <vector>

namespace beamlet::segmentation {

struct LungOptions {
  /// Voxels below this value (HU) inside the External are air-like (lung parenchyma is about
  /// -850 HU; -320 HU is between it and soft tissue, as in Hu et al.).
  double airThresholdHu = -320.0;
  /// Components smaller than this (ml) are never a lung (bowel gas bubbles, noise).
  double minLungMl = 5.0;
  /// Components whose mean is below this (HU) are pure gas, not lung: bowel and stomach gas and a
  /// trachea apart from the lungs are about -1000 HU, lung parenchyma with its small vessels and
  /// partial volume about -850 HU.
  double maxGasMeanHu = -950.0;
  /// Erosion radii (mm) tried in turn, from 0, in steps of this, until the air splits into a left
  /// and a right lung (the airways and a thin anterior junction join them).
  double erosionStepMm = 2.0;
  double maxErosionMm = 20.0;
  /// A split counts when the second-largest eroded component is at least this fraction of the
  /// largest (a trachea or a bronchus alone does not count).
  double minSecondFraction = 0.15;
  /// Radius (mm) of the closing of each lung that brings in vessels and airway walls at the hilum.
  double closingRadiusMm = 5.0;
};

struct LungContours {
  Mask left;              ///< Lung_L: the lung on the patient's left (LPS +x)
  Mask right;             ///< Lung_R
  double erosionMm = 0.0; ///< the erosion that split them (0 when already apart)
};

/// Lungs on a CT in HU inside `external` (a mask on the CT grid, e.g. externalContourCt): air-like
/// voxels inside it, components touching the External's border or the grid's side faces, smaller
/// than minLungMl or of pure gas (mean below maxGasMeanHu) dropped,
/// the rest eroded by growing balls until the two largest pieces are both large (a trachea and main
/// bronchi, thinner than a lung, vanish or stay a third piece), every air voxel given to the
/// nearest piece within the erosion radius plus a voxel (a Voronoi split along the junction; air
/// nearer the trachea's piece is dropped), then each lung closed by a ball and holes filled per
/// slice. Throws InvalidArgumentError when the grids differ or the image is not CT; DataError when
/// no two lung-sized air regions are found.
LungContours lungContours(const Image& ct, const Mask& external, const LungOptions& options = {});

} // namespace beamlet::segmentation
