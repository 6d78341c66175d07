#pragma once
// Leaf sequencing: from an optimised fluence map (bixel weights of one beam) to step-and-shoot MLC
// segments, and from those to a static beam of the RT plan model that dicom::writeRtPlan writes and
// dose::segmentFluence (PlanFluence.h) recomputes.
//
// Algorithm: the reducing-level method of Xia & Verhey 1998, "Multileaf collimator leaf sequencing
// algorithm for intensity modulated beams with multiple static segments", Med Phys 25:1424,
// doi:10.1118/1.598310, followed by merging segments of identical shape. Rules (leaf-to-bixel
// mapping, minimum MU, parking of closed pairs, jaws) are in docs/sequencing.md.

#include "beamlet/core/Plan.h"
#include "beamlet/dose/Dij.h"
#include "beamlet/dose/DoseEngine.h"

#include <string>
#include <vector>

namespace beamlet::dose {

/// A multileaf collimator as the sequencer sees it: leaf pairs stacked across the travel axis
/// (along Y_b for MLCX, along X_b for MLCY), every length in mm at the isocentre plane.
struct MlcModel {
  std::string name;
  /// Pair n spans leafBoundaries[n] .. leafBoundaries[n + 1] (ascending, pairs + 1 values).
  std::vector<double> leafBoundaries;
  double maxLeafPositionMm = 200.0; ///< every leaf tip stays within +-this along the travel axis
  double maxLeafSpeedMmPerS = 25.0; ///< for the delivery time estimate
  double minGapMm = 0.5;            ///< least distance between the two leaves of a pair
  double minMuPerSegment = 2.0;     ///< least MU a segment may deliver
  std::string deviceType = "MLCX";  ///< "MLCX" (leaves move along X_b) or "MLCY"

  int leafPairs() const { return static_cast<int>(leafBoundaries.size()) - 1; }
};

/// Varian Millennium 120: 60 pairs, 10 x 10 mm, 40 x 5 mm, 10 x 10 mm, from -200 to 200 mm.
MlcModel millennium120();
/// `pairs` leaf pairs of `leafWidthMm`, centred on the beam axis.
MlcModel uniformMlc(double leafWidthMm, int pairs);

/// One beam's fluence on a regular square grid in the beam's X_b, Y_b coordinates at the
/// isocentre plane. Bixel (i, j) is centred at (x0 + i * widthMm, y0 + j * widthMm) and carries
/// weights[j * nx + i] (MU, or optimiser weight units converted by SequencingOptions::muPerUnit).
struct FluenceMap {
  double x0 = 0.0;
  double y0 = 0.0;
  double widthMm = 5.0;
  int nx = 0;
  int ny = 0;
  std::vector<double> weights;

  double at(int i, int j) const { return weights[static_cast<std::size_t>(j) * nx + i]; }
  double& at(int i, int j) { return weights[static_cast<std::size_t>(j) * nx + i]; }
};

/// The fluence map of beam `beam`: the bounding grid of its bixels (`bixels` may hold other beams'
/// too; `weights` is parallel to `bixels`), zero where the beam has no bixel. Throws
/// InvalidArgumentError when the beam has no bixel, widths differ, a centre is off the grid or a
/// bixel appears twice.
FluenceMap fluenceMapFromBixels(const std::vector<Bixel>& bixels,
                                const std::vector<double>& weights, int beam);

/// Sets the weights of beam `beam`'s bixels to the map's value at their centres (0 outside the
/// map): e.g. SequencedBeam::deliverable back into an optimiser's weight vector.
void setBixelWeights(const FluenceMap& map, const std::vector<Bixel>& bixels, int beam,
                     std::vector<double>& weights);

/// What happens to a segment below MlcModel::minMuPerSegment (docs/sequencing.md).
enum class MinMuRule {
  Nearest, ///< a segment below minMu is dropped when under minMu / 2, else raised to minMu
  Drop,    ///< every segment below minMu is dropped
  Raise,   ///< every segment below minMu is raised to minMu
};

struct SequencingOptions {
  /// Intensity levels between 0 and the map's maximum as the leaf pairs see it.
  int levels = 10;
  /// MU per intensity level; when > 0 it replaces `levels` (the top level then follows the map).
  double muStep = 0.0;
  /// MU per unit of map weight (1 / DoseEngine::weightPerMu() for optimiser weights).
  double muPerUnit = 1.0;
  MinMuRule minMuRule = MinMuRule::Nearest;
  /// Jaws stand this far beyond each segment's open leaves (capped at the closed leaves' parking
  /// position and at the MLC's reach).
  double jawMarginMm = 0.0;
  /// Dose rate of the delivery time estimate (MU/min).
  double doseRateMuPerMin = 600.0;
};

/// The state of one leaf pair in one segment, along the travel axis.
struct LeafPairOpening {
  double left = 0.0;  ///< bank 1 (negative side) leaf tip, mm
  double right = 0.0; ///< bank 2 (positive side) leaf tip, mm
  /// True when [left, right) lets radiation through; false for a closed pair, parked with a gap
  /// of MlcModel::minGapMm behind a jaw.
  bool open = false;
  /// Open pairs: the bixel columns first .. last - 1 along the travel axis (SequencedBeam's
  /// levelMatrix columns).
  int first = 0;
  int last = 0;
};

struct Segment {
  std::vector<LeafPairOpening> pairs; ///< one per MLC leaf pair
  JawPositions jawX{0.0, 0.0};        ///< X1, X2 mm at the isocentre
  JawPositions jawY{0.0, 0.0};        ///< Y1, Y2
  int levels = 0;                     ///< weight in intensity levels from the decomposition
  double mu = 0.0; ///< MU delivered (levels x muPerLevel, or changed by the min-MU rule)
};

struct SequencedBeam {
  std::vector<Segment> segments; ///< in delivery order
  double totalMu = 0.0;
  /// Errors relative to the input map's maximum: the RMS difference over the bixels where either
  /// map is non-zero, of the input and (mapping) the map as the leaf pairs see it, (quantisation)
  /// the quantised map, (fluence) what the segments deliver after the min-MU rule.
  double mappingErrorRms = 0.0;
  double quantisationErrorRms = 0.0;
  double fluenceErrorRms = 0.0;
  /// Estimate: beam-on time at the dose rate plus leaf travel between segments at the maximum
  /// leaf speed (the slowest leaf of each transition).
  double deliveryTimeSeconds = 0.0;
  double beamOnSeconds = 0.0;
  double leafTravelSeconds = 0.0;
  double muPerLevel = 0.0;
  int maxLevel = 0;
  int decompositionSegments = 0; ///< Xia-Verhey iterations, before identical shapes are merged
  int droppedSegments = 0;       ///< removed by the min-MU rule
  int raisedSegments = 0;        ///< raised to the minimum MU
  /// The quantised map in levels: pairCount leaf pairs from firstPair, `columns` bixels along the
  /// travel axis each (map columns for MLCX, map rows for MLCY).
  int firstPair = 0;
  int pairCount = 0;
  int columns = 0;
  std::vector<int> levelMatrix;
  /// In the input map's units, on its grid grown across the leaves to whole leaf pairs: the
  /// quantised map and what the segments deliver.
  FluenceMap quantised;
  FluenceMap deliverable;
  std::vector<std::string> notes;
};

/// Sequences one beam's fluence map for `mlc`. Throws InvalidArgumentError for an invalid MLC
/// model or options, negative or non-finite weights, leaf widths that are neither multiples nor
/// divisors of the bixel width, bixels narrower than the minimum gap, and fluence beyond the
/// leaves' reach.
SequencedBeam sequenceLeaves(const FluenceMap& map, const MlcModel& mlc,
                             const SequencingOptions& options = {});

/// MU per bixel (open area fraction x MU, summed over segments) of `segments` on `grid`'s
/// geometry (its weights are ignored).
FluenceMap rasteriseSegments(const std::vector<Segment>& segments, const MlcModel& mlc,
                             const FluenceMap& grid);

struct StepAndShootOptions {
  int beamNumber = 1;
  std::string machineName = "Generic 6 MV";
  double nominalEnergy = 6.0; ///< MV
  double doseRateMuPerMin = 600.0;
  double sourceAxisDistanceMm = 1000.0;
};

/// A static photon beam with two control points per segment (same shape, cumulative meterset
/// weight rising by the segment's MU share; final weight 1), jaws ASYMX/ASYMY, the MLC's leaf
/// boundaries and positions in DICOM order (bank 1, then bank 2), the setup's angles (normalised
/// to [0, 360)) and isocentre, and monitorUnits = the total MU. Throws InvalidArgumentError
/// without segments or when they do not fit `mlc`.
Beam toStepAndShootBeam(const SequencedBeam& sequenced, const MlcModel& mlc, const BeamSetup& setup,
                        const StepAndShootOptions& options = {});

} // namespace beamlet::dose
