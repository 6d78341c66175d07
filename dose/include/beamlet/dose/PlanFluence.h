#pragma once
// From a treatment plan to what the dose engine computes: each static segment's aperture (jaws
// and MLC leaves, projected to the isocentre plane) becomes fluence on the machine's kernel cell
// grid, weighted by the segment's MU, so any plan Beamlet writes (3D-CRT, step-and-shoot IMRT) can
// be recomputed independently of the bixels it was optimised with. Cells partly open count by
// their open area. Leaf transmission and tongue-and-groove are not modelled.

#include "beamlet/core/Plan.h"
#include "beamlet/dose/DoseEngine.h"

#include <string>
#include <vector>

namespace beamlet::dose {

/// MU-weighted fluence of a static photon beam's segments (MU per cell) in the collimator frame;
/// throws UnsupportedError for dynamic, non-photon or unsupported beams and DataError when the
/// beam has no MU or its apertures are inconsistent.
FluenceGrid segmentFluence(const Beam& beam, double cellMm);

struct PlanBeams {
  std::vector<BeamSetup> beams;
  std::vector<BeamFluence> fluences; ///< fluence weights (MU x the engine's weight per MU)
  std::vector<std::string> notes;    ///< e.g. setup beams left out
};

/// The treatment beams of a plan with their fluences for `engine` (per fraction).
PlanBeams planBeams(const Plan& plan, const DoseEngine& engine, double cellMm);

} // namespace beamlet::dose
