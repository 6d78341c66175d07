#pragma once
// Treatment protocols: one JSON file per treatment site (resources/protocols/<id>.json) holding the
// prescription, the beam arrangement, the structures with their optimisation objectives and
// overlap priorities, and the clinical goals a plan is judged by. File format, the matching of
// protocol structures to a patient's structures and the overlap priority rule: docs/protocols.md.

#include "beamlet/core/Structure.h"
#include "beamlet/core/Volume.h"

#include <cstdint>
#include <string>
#include <vector>

namespace beamlet::dose {

/// One term of the optimisation problem on the voxels assigned to a structure (assignVoxels).
/// Which fields a type uses (the loader requires them; the others stay 0):
///   squared_overdose, squared_underdose, squared_deviation: doseGy
///   min_dvh, max_dvh: doseGy and volumePercent (at least / at most volumePercent get doseGy)
///   mean_dose: doseGy (the mean dose should not exceed it)
///   geud: doseGy and a (generalised equivalent uniform dose with exponent a should not exceed it)
struct ProtocolObjective {
  std::string type;
  double doseGy = 0.0;
  double volumePercent = 0.0;
  double a = 0.0;
  double weight = 1.0;
  /// A hard constraint for the optimiser (the term must reach zero) rather than a weighted
  /// penalty; the weight is then ignored.
  bool constraint = false;
};

struct ProtocolStructure {
  std::string name;                 ///< TG-263 name
  std::vector<std::string> aliases; ///< other names the structure goes by (OpenKBP, habits)
  std::string role;                 ///< "target", "oar" or "external"
  /// Overlap priority: a voxel in several structures belongs, for objectives, to the one with the
  /// lowest number (ties: the one listed first). Defaults: target 100, oar 200, external 300.
  int priority = 0;
  /// A required structure missing from a patient's set stops planning when it is a target; an
  /// optional one (e.g. the PTV63 of a 70/56 Gy patient) is only a warning.
  bool required = true;
  std::vector<ProtocolObjective> objectives;
};

/// A clinical goal such as "PTV70 D95% >= 66.5 Gy": metric of the structure's DVH (computed on the
/// whole structure, whatever the overlap priorities), a comparison and a value.
struct ClinicalGoal {
  std::string structure;  ///< as written
  std::string metric;     ///< "D95%", "D2cc", "Dmean", "Dmax", "Dmin", "V20Gy", "V20Gy%", "Volume"
  std::string comparison; ///< ">=" or "<="
  double value = 0.0;
  std::string unit; ///< "Gy", "%" or "cc"
  std::string text; ///< as written, e.g. "PTV70 D95% >= 66.5 Gy"

  /// The metric string evaluateMetric (Dvh.h) takes: "V20Gy" with unit "%" becomes "V20Gy%".
  std::string dvhMetric() const;
};

struct Protocol {
  std::string id;   ///< the file name without ".json"
  std::string file; ///< the path it was loaded from
  std::string name;
  std::string site;
  std::string description;
  std::string source; ///< where the numbers come from (literature, protocol)
  double prescriptionGy = 0.0;
  int fractions = 0;
  std::string prescribedStructure;
  std::vector<double> gantryAngles; ///< degrees, IEC 61217
  double couchAngle = 0.0;
  double collimatorAngle = 0.0;
  double bixelMm = 5.0;
  double doseGridMm = 3.0;
  std::vector<ProtocolStructure> structures;
  std::vector<ClinicalGoal> goals;

  /// The structure with this name (case-insensitive), or nullptr.
  const ProtocolStructure* findStructure(const std::string& name) const;
};

/// Loads and checks a protocol file; throws IoError when it cannot be read and DataError, one line
/// naming the file and the key (e.g. "structures[2].objectives[0].dose_Gy"), for any problem.
Protocol loadProtocol(const std::string& path);

/// The protocol shipped as resources/protocols/<id>.json ("tg119-cshape", "head-neck").
Protocol loadShippedProtocol(const std::string& id);

/// Parses "STRUCTURE METRIC OP VALUE UNIT", e.g. "PTV70 D95% >= 66.5 Gy", "Parotid_L Dmean <= 26
/// Gy", "Lung_L V20Gy <= 30 %". The structure name may contain spaces; the value and unit may be
/// written together ("66.5Gy"). Throws InvalidArgumentError naming the text and the problem.
ClinicalGoal parseGoal(const std::string& text);

/// How a protocol structure was found in a structure set.
enum class MatchedBy { None, Name, Tg263Name, Alias };

const char* matchedByName(MatchedBy by);

struct StructureMatch {
  std::string protocolName;
  std::string role;
  bool required = true;
  int setIndex = -1;   ///< index into StructureSet::structures; -1 when missing
  std::string setName; ///< the name in the set
  MatchedBy by = MatchedBy::None;
  std::string note; ///< e.g. other structures that matched as well

  bool found() const { return setIndex >= 0; }
};

/// One match per protocol structure, in protocol order. Passes over all protocol structures: the
/// same name, then the same TG-263 name (core/Tg263.h), then an alias, all ignoring case; a set
/// structure is taken by at most one protocol structure, the earliest pass winning.
std::vector<StructureMatch> matchStructures(const Protocol& protocol, const StructureSet& set);

/// What the matches mean for planning: throws DataError (context: the protocol's name) listing the
/// required targets that are missing; returns one warning line per other missing structure.
std::vector<std::string> checkStructureMatches(const std::vector<StructureMatch>& matches,
                                               const std::string& protocolName);

/// The overlap priority rule (docs/protocols.md). structureVoxels[s] holds the voxels of structure
/// s (linear grid indices or Dij rows); priorities[s] its priority. Returns, per structure, the
/// voxels it gets for objectives, in input order: those not in a structure that wins over it
/// (lower priority number; equal numbers: lower index). Throws InvalidArgumentError when the sizes
/// differ.
std::vector<std::vector<std::uint32_t>>
assignVoxels(const std::vector<std::vector<std::uint32_t>>& structureVoxels,
             const std::vector<int>& priorities);

/// The same rule on masks (one per structure, all on one grid): exclusive masks. Throws
/// InvalidArgumentError when the sizes or the grid dimensions differ.
std::vector<Mask> assignVoxels(const std::vector<Mask>& masks, const std::vector<int>& priorities);

/// The priorities of the protocol's structures, in protocol order (for assignVoxels).
std::vector<int> structurePriorities(const Protocol& protocol);

} // namespace beamlet::dose
