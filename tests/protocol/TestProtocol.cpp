// Treatment protocols without test data: the shipped files load with the numbers they were written
// with; goal texts parse (and bad ones are refused); broken files give one-line DataErrors naming
// the file and the key; structures match on the TG-119 phantom and on the OpenKBP names; the
// overlap priority rule on small masks with literal voxel counts; clinical goals on synthetic
// doses of the TG-119 phantom with literal values and pass/fail.

#include "TestData.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/Phantom.h"
#include "beamlet/core/Resources.h"
#include "beamlet/dose/ClinicalGoals.h"
#include "beamlet/dose/Protocol.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace beamlet;
using namespace beamlet::dose;

namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

StructureSet namesOnly(const std::vector<std::string>& names) {
  StructureSet set;
  for (const std::string& name : names) {
    Structure s;
    s.roiNumber = static_cast<int>(set.structures.size()) + 1;
    s.name = name;
    set.structures.push_back(s);
  }
  return set;
}

const StructureMatch& matchOf(const std::vector<StructureMatch>& matches, const std::string& name) {
  for (const StructureMatch& m : matches) {
    if (m.protocolName == name) {
      return m;
    }
  }
  throw std::runtime_error("no match entry for " + name);
}

std::size_t countInside(const Mask& m) {
  std::size_t n = 0;
  for (std::uint8_t v : m.voxels()) {
    n += v != 0 ? 1 : 0;
  }
  return n;
}

// A rectangle [i0, i1] x [j0, j1] (inclusive) on a 10 x 10 x 1 grid.
Mask box(int i0, int i1, int j0, int j1) {
  Mask m(ImageGeometry({10, 10, 1}, Vec3::Zero(), Vec3::Ones()), 0);
  for (int j = j0; j <= j1; ++j) {
    for (int i = i0; i <= i1; ++i) {
      m(i, j, 0) = 1;
    }
  }
  return m;
}

std::vector<std::uint32_t> indicesOf(const Mask& m) {
  std::vector<std::uint32_t> v;
  for (std::size_t n = 0; n < m.size(); ++n) {
    if (m[n] != 0) {
      v.push_back(static_cast<std::uint32_t>(n));
    }
  }
  return v;
}

// A dose on a 1 mm grid over x, y in [-45, 45], z in [-60, 60] mm (all of PTV_C and Core of the
// TG-119 phantom): `coreGy` within 12.5 mm of the SI axis, `outerGy` elsewhere. Core (r <= 10 mm)
// and PTV_C (r >= 15 mm) are 2.5 mm from the step, more than a voxel diagonal (1.41 mm), so every
// trilinear sample in them reads a single dose.
Image stepDose(float coreGy, float outerGy) {
  const ImageGeometry g({91, 91, 121}, Vec3(-45, -45, -60), Vec3(1, 1, 1));
  VolumeF32 dose(g);
  for (int k = 0; k < g.dims[2]; ++k) {
    for (int j = 0; j < g.dims[1]; ++j) {
      for (int i = 0; i < g.dims[0]; ++i) {
        const Vec3 p = g.indexToPatient(Vec3(i, j, k));
        dose(i, j, k) = std::hypot(p.x(), p.y()) <= 12.5 ? coreGy : outerGy;
      }
    }
  }
  Image image(std::move(dose));
  image.units = "Gy";
  return image;
}

bool oneLine(const std::string& message) {
  return message.find('\n') == std::string::npos;
}

} // namespace

class TestProtocol : public QObject {
  Q_OBJECT

  PhantomCase tg119_;
  QTemporaryDir dir_;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    tg119_ = makeTg119Phantom();
  }

  void tg119ProtocolLoads() {
    Protocol p;
    BEAMLET_NO_THROW(p = loadShippedProtocol("tg119-cshape"));
    QCOMPARE(p.id, std::string("tg119-cshape"));
    QCOMPARE(p.name, std::string("TG-119 C-shape"));
    QCOMPARE(p.prescriptionGy, 50.0);
    QCOMPARE(p.fractions, 25);
    QCOMPARE(p.prescribedStructure, std::string("PTV_C"));
    QCOMPARE(p.gantryAngles, (std::vector<double>{0, 40, 80, 120, 160, 200, 240, 280, 320}));
    QCOMPARE(p.couchAngle, 0.0);
    QCOMPARE(p.collimatorAngle, 0.0);
    QCOMPARE(p.bixelMm, 5.0);
    QCOMPARE(p.doseGridMm, 3.0);
    QVERIFY(p.source.find("10.1118/1.3238104") != std::string::npos);
    QCOMPARE(p.structures.size(), std::size_t{3});
    QCOMPARE(p.structures[0].name, std::string("PTV_C"));
    QCOMPARE(p.structures[0].role, std::string("target"));
    QCOMPARE(p.structures[1].name, std::string("Core"));
    QCOMPARE(p.structures[2].role, std::string("external"));
    QCOMPARE(structurePriorities(p), (std::vector<int>{1, 2, 3}));
    const ProtocolObjective& minDvh = p.structures[0].objectives[2];
    QCOMPARE(minDvh.type, std::string("min_dvh"));
    QCOMPARE(minDvh.doseGy, 50.0);
    QCOMPARE(minDvh.volumePercent, 95.0);
    QCOMPARE(minDvh.weight, 100.0);
    QVERIFY(!minDvh.constraint);
    QCOMPARE(p.goals.size(), std::size_t{3});
    QCOMPARE(p.goals[0].text, std::string("PTV_C D95% >= 50 Gy"));
    QCOMPARE(p.goals[1].text, std::string("PTV_C D10% <= 55 Gy"));
    QCOMPARE(p.goals[2].structure, std::string("Core"));
    QCOMPARE(p.goals[2].metric, std::string("D10%"));
    QCOMPARE(p.goals[2].comparison, std::string("<="));
    QCOMPARE(p.goals[2].value, 25.0);
  }

  void headNeckProtocolLoads() {
    Protocol p;
    BEAMLET_NO_THROW(p = loadShippedProtocol("head-neck"));
    QCOMPARE(p.prescriptionGy, 70.0);
    QCOMPARE(p.fractions, 35);
    QCOMPARE(p.prescribedStructure, std::string("PTV70"));
    QCOMPARE(p.gantryAngles.size(), std::size_t{9});
    QCOMPARE(p.gantryAngles.back(), 320.0);
    QCOMPARE(p.bixelMm, 5.0);
    QCOMPARE(p.doseGridMm, 3.0);
    std::vector<std::string> names;
    for (const ProtocolStructure& s : p.structures) {
      names.push_back(s.name);
    }
    QCOMPARE(names, (std::vector<std::string>{"PTV70", "PTV63", "PTV56", "SpinalCord", "Brainstem",
                                              "Parotid_L", "Parotid_R", "Bone_Mandible", "Larynx",
                                              "Esophagus", "External"}));
    QVERIFY(p.findStructure("PTV70")->required);
    QVERIFY(!p.findStructure("ptv63")->required);
    QVERIFY(!p.findStructure("PTV56")->required);
    QCOMPARE(structurePriorities(p), (std::vector<int>{1, 2, 3, 10, 11, 20, 20, 22, 23, 24, 300}));
    const ProtocolObjective& cordLimit = p.findStructure("SpinalCord")->objectives[1];
    QCOMPARE(cordLimit.doseGy, 45.0);
    QVERIFY(cordLimit.constraint);
    const ProtocolObjective& geud = p.findStructure("Bone_Mandible")->objectives[1];
    QCOMPARE(geud.type, std::string("geud"));
    QCOMPARE(geud.a, 8.0);
    std::vector<std::string> goals;
    for (const ClinicalGoal& g : p.goals) {
      goals.push_back(g.text);
    }
    QCOMPARE(goals, (std::vector<std::string>{
                        "PTV70 D95% >= 66.5 Gy", "PTV70 V77Gy <= 20 %", "PTV63 D95% >= 59.85 Gy",
                        "PTV56 D95% >= 53.2 Gy", "SpinalCord Dmax <= 45 Gy",
                        "Brainstem Dmax <= 54 Gy", "Parotid_L Dmean <= 26 Gy",
                        "Parotid_R Dmean <= 26 Gy", "Bone_Mandible D2cc <= 70 Gy",
                        "Larynx Dmean <= 45 Gy", "Esophagus Dmean <= 45 Gy"}));
    QCOMPARE(p.goals[1].dvhMetric(), std::string("V77Gy%"));
    QCOMPARE(p.goals[3].value, 53.2);
  }

  void parseGoalLiterals() {
    const ClinicalGoal a = parseGoal("PTV70 D95% >= 66.5 Gy");
    QCOMPARE(a.structure, std::string("PTV70"));
    QCOMPARE(a.metric, std::string("D95%"));
    QCOMPARE(a.comparison, std::string(">="));
    QCOMPARE(a.value, 66.5);
    QCOMPARE(a.unit, std::string("Gy"));
    QCOMPARE(a.text, std::string("PTV70 D95% >= 66.5 Gy"));
    QCOMPARE(a.dvhMetric(), std::string("D95%"));

    const ClinicalGoal b = parseGoal("  Parotid L   Dmean <= 26Gy ");
    QCOMPARE(b.structure, std::string("Parotid L"));
    QCOMPARE(b.metric, std::string("Dmean"));
    QCOMPARE(b.value, 26.0);
    QCOMPARE(b.unit, std::string("Gy"));

    const ClinicalGoal c = parseGoal("Lung_L V20Gy <= 30 %");
    QCOMPARE(c.dvhMetric(), std::string("V20Gy%"));
    QCOMPARE(c.value, 30.0);
    const ClinicalGoal d = parseGoal("Core V22Gy <= 0.5 cc");
    QCOMPARE(d.dvhMetric(), std::string("V22Gy"));
    QCOMPARE(d.unit, std::string("cc"));
    const ClinicalGoal e = parseGoal("Bone_Mandible D0.03cc <= 73.5 Gy");
    QCOMPARE(e.metric, std::string("D0.03cc"));
    QCOMPARE(e.value, 73.5);
    const ClinicalGoal f = parseGoal("Rectum V60Gy% <= 15 %");
    QCOMPARE(f.dvhMetric(), std::string("V60Gy%"));
    const ClinicalGoal g = parseGoal("PTV_C Volume >= 160 cc");
    QCOMPARE(g.metric, std::string("Volume"));
  }

  void parseGoalErrors_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("problem");
    QTest::newRow("empty") << ""
                           << "expected 'STRUCTURE METRIC OP VALUE UNIT'";
    QTest::newRow("no comparison") << "PTV70 D95% 66.5 Gy"
                                   << "expected 'STRUCTURE METRIC OP";
    QTest::newRow("strict comparison") << "PTV70 D95% > 66.5 Gy"
                                       << "comparison '>' must be";
    QTest::newRow("value") << "PTV70 D95% >= abc Gy"
                           << "the value 'abc' is not a number";
    QTest::newRow("negative") << "PTV70 D95% >= -1 Gy"
                              << "must not be negative";
    QTest::newRow("unit") << "PTV70 D95% >= 66.5 Sv"
                          << "the unit 'Sv' must be Gy, % or cc";
    QTest::newRow("metric") << "PTV70 D95 >= 66.5 Gy"
                            << "unknown metric 'D95'";
    QTest::newRow("metric unit") << "PTV70 D95% >= 95 %"
                                 << "the unit of D95% must be Gy";
    QTest::newRow("volume unit") << "Lung V20Gy <= 30 Gy"
                                 << "the unit of V20Gy must be %, cc";
    QTest::newRow("over 100%") << "PTV70 D120% >= 1 Gy"
                               << "the volume of D120% exceeds 100%";
    QTest::newRow("glued junk") << "PTV70 D95% >= 6x6Gy"
                                << "the unit 'x6Gy' must be Gy, % or cc";
    QTest::newRow("no structure") << "D95% >= 66.5 Gy"
                                  << "expected 'STRUCTURE METRIC OP";
  }

  void parseGoalErrors() {
    QFETCH(QString, text);
    QFETCH(QString, problem);
    try {
      parseGoal(text.toStdString());
      QFAIL("no error");
    } catch (const InvalidArgumentError& e) {
      const std::string message = e.what();
      QVERIFY2(message.find("clinical goal '" + text.toStdString() + "': ") == 0, e.what());
      QVERIFY2(message.find(problem.toStdString()) != std::string::npos, e.what());
      QVERIFY(oneLine(message));
    }
  }

  void brokenFiles_data() {
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("problem");
    auto row = [](const char* name, const char* from, const char* to, const char* problem) {
      QTest::newRow(name) << from << to << problem;
    };
    row("not JSON", "\"version\": 1,", "\"version\": 1,,", "not valid JSON");
    row("format", "beamlet-protocol", "beamlet-machine", "'format' must be \"beamlet-protocol\"");
    row("format type", "\"beamlet-protocol\"", "7", "'format' must be \"beamlet-protocol\"");
    row("version", "\"version\": 1,", "\"version\": 2,", "'version' must be 1");
    row("unknown key", "\"dose_grid_mm\"", "\"dose_grid_mn\"", "'dose_grid_mn' is not a known key");
    row("no name", "\"name\": \"TG-119 C-shape\",", "", "'name' is missing");
    row("prescription", "\"prescription_Gy\": 50.0", "\"prescription_Gy\": -5",
        "'prescription_Gy' must be a positive number");
    row("fractions", "\"fractions\": 25", "\"fractions\": 2.5", "'fractions' must be an integer");
    row("bixel", "\"bixel_mm\": 5.0", "\"bixel_mm\": \"5\"",
        "'beams.bixel_mm' must be a positive number");
    row("gantry", "[0, 40, 80", "[0, 400, 80",
        "'beams.gantry_deg[1]' must be an angle in [0, 360)");
    row("gantry repeated", "[0, 40, 80", "[0, 40, 40", "'beams.gantry_deg[2]' repeats an angle");
    row("no beams", "\"beams\"", "\"beamz\"", "'beamz' is not a known key");
    row("role", "\"role\": \"oar\"", "\"role\": \"organ\"",
        "'structures[1].role' 'organ' must be target, oar or external");
    row("objective type", "\"squared_overdose\", \"dose_Gy\": 20.0",
        "\"squared_overdos\", \"dose_Gy\": 20.0",
        "'structures[1].objectives[0].type' 'squared_overdos' is not an objective type");
    row("volume over 100", "\"volume_percent\": 95", "\"volume_percent\": 195",
        "'structures[0].objectives[2].volume_percent' must be at most 100");
    row("volume missing", "\"dose_Gy\": 50.0, \"volume_percent\": 95,", "\"dose_Gy\": 50.0,",
        "'structures[0].objectives[2].volume_percent' is missing");
    row("key unused by type", "\"dose_Gy\": 20.0, \"weight\": 50",
        "\"dose_Gy\": 20.0, \"a\": 2, \"weight\": 50",
        "'structures[1].objectives[0].a' is not a known key");
    row("negative weight", "\"dose_Gy\": 40.0, \"weight\": 5", "\"dose_Gy\": 40.0, \"weight\": -5",
        "'structures[2].objectives[0].weight' must be a number >= 0");
    row("duplicate alias", "[\"C_Core\", \"Core_Avoid\"]", "[\"C_Core\", \"ptv\"]",
        "'structures[1].aliases[1]' 'ptv' is already used by structures[0] ('PTV_C')");
    row("prescribed", "\"prescribed_structure\": \"PTV_C\"", "\"prescribed_structure\": \"Core\"",
        "'prescribed_structure' 'Core' must name a structure whose role is target");
    row("goal structure", "\"Core D10% <= 25 Gy\"", "\"Cord D10% <= 25 Gy\"",
        "'goals[2]' \"Cord D10% <= 25 Gy\": 'Cord' is not a structure of the protocol");
    row("goal comparison", "\"PTV_C D10% <= 55 Gy\"", "\"PTV_C D10% < 55 Gy\"",
        "'goals[1]' \"PTV_C D10% < 55 Gy\": the comparison '<' must be >= or <=");
    row("goal not text", "\"PTV_C D10% <= 55 Gy\"", "55", "'goals[1]' must be a string");
  }

  void brokenFiles() {
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, problem);
    std::string text = readText(resourcePath("protocols/tg119-cshape.json"));
    const std::size_t at = text.find(from.toStdString());
    QVERIFY2(at != std::string::npos, "the shipped file changed: update the test row");
    text.replace(at, static_cast<std::size_t>(from.size()), to.toStdString());
    const std::string path = dir_.filePath("broken.json").toStdString();
    {
      std::ofstream out(path);
      out << text;
    }
    try {
      loadProtocol(path);
      QFAIL("no error");
    } catch (const DataError& e) {
      const std::string message = e.what();
      QVERIFY2(message.find(path + ": ") == 0, e.what());
      QVERIFY2(message.find(problem.toStdString()) != std::string::npos, e.what());
      QVERIFY2(oneLine(message), e.what());
    }
  }

  void missingFile() {
    const std::string path = dir_.filePath("none.json").toStdString();
    QVERIFY_THROWS_EXCEPTION(IoError, loadProtocol(path));
    QVERIFY_THROWS_EXCEPTION(IoError, loadShippedProtocol("no-such-protocol"));
  }

  void matchOnTg119Phantom() {
    const Protocol p = loadShippedProtocol("tg119-cshape");
    const std::vector<StructureMatch> m = matchStructures(p, tg119_.structures);
    QCOMPARE(m.size(), std::size_t{3});
    QCOMPARE(m[0].protocolName, std::string("PTV_C"));
    QCOMPARE(m[0].setIndex, 1);
    QCOMPARE(m[0].by, MatchedBy::Name);
    QCOMPARE(m[1].setIndex, 2);
    QCOMPARE(m[1].setName, std::string("Core"));
    QCOMPARE(m[2].setIndex, 0);
    QCOMPARE(m[2].setName, std::string("External"));
    QVERIFY(checkStructureMatches(m, p.name).empty());

    // The same structures named otherwise: ignoring case, by TG-263 name, by alias.
    const StructureSet renamed = namesOnly({"Core_Avoid", "BODY", "ptv_c"});
    const std::vector<StructureMatch> r = matchStructures(p, renamed);
    QCOMPARE(r[0].setName, std::string("ptv_c"));
    QCOMPARE(r[0].by, MatchedBy::Name);
    QCOMPARE(r[1].setName, std::string("Core_Avoid"));
    QCOMPARE(r[1].by, MatchedBy::Alias);
    QCOMPARE(r[2].setName, std::string("BODY"));
    QCOMPARE(r[2].by, MatchedBy::Tg263Name);
    QCOMPARE(std::string(matchedByName(r[2].by)), std::string("TG-263 name"));

    // Two candidates: the one spelt like the protocol wins, the other is noted.
    const std::vector<StructureMatch> two =
        matchStructures(p, namesOnly({"ptv_c", "PTV_C", "Core", "External"}));
    QCOMPARE(two[0].setIndex, 1);
    QVERIFY2(two[0].note.find("'ptv_c'") != std::string::npos, two[0].note.c_str());

    // A set structure is taken once: "PTV" (an alias of PTV_C) is not given to PTV_C twice.
    const std::vector<StructureMatch> once = matchStructures(p, namesOnly({"PTV_C", "PTV"}));
    QCOMPARE(once[0].setName, std::string("PTV_C"));
    QVERIFY(once[0].note.empty());

    // Missing: Core and External are warnings, a missing target an error naming it.
    const std::vector<StructureMatch> ptvOnly = matchStructures(p, namesOnly({"PTV_C"}));
    QCOMPARE(checkStructureMatches(ptvOnly, p.name).size(), std::size_t{2});
    const std::vector<StructureMatch> noTarget = matchStructures(p, namesOnly({"Core", "Body"}));
    QVERIFY(!noTarget[0].found());
    QCOMPARE(noTarget[0].by, MatchedBy::None);
    try {
      checkStructureMatches(noTarget, p.name);
      QFAIL("no error");
    } catch (const DataError& e) {
      QCOMPARE(std::string(e.what()), std::string("TG-119 C-shape: the structure set has no PTV_C "
                                                  "(required target; rename or contour it)"));
    }
  }

  void matchOnOpenKbpNames() {
    // The mask names of an OpenKBP patient (shared/data/README.md, section openkbp).
    const Protocol p = loadShippedProtocol("head-neck");
    const StructureSet set =
        namesOnly({"Brainstem", "SpinalCord", "RightParotid", "LeftParotid", "Esophagus", "Larynx",
                   "Mandible", "PTV56", "PTV63", "PTV70"});
    const std::vector<StructureMatch> m = matchStructures(p, set);
    QCOMPARE(matchOf(m, "PTV70").setName, std::string("PTV70"));
    QCOMPARE(matchOf(m, "PTV70").by, MatchedBy::Name);
    QCOMPARE(matchOf(m, "PTV56").setIndex, 7);
    QCOMPARE(matchOf(m, "Parotid_L").setName, std::string("LeftParotid"));
    QCOMPARE(matchOf(m, "Parotid_L").by, MatchedBy::Tg263Name);
    QCOMPARE(matchOf(m, "Parotid_R").setName, std::string("RightParotid"));
    QCOMPARE(matchOf(m, "Bone_Mandible").setName, std::string("Mandible"));
    QCOMPARE(matchOf(m, "Bone_Mandible").by, MatchedBy::Tg263Name);
    QCOMPARE(matchOf(m, "SpinalCord").by, MatchedBy::Name);
    QCOMPARE(matchOf(m, "Esophagus").setIndex, 4);
    QCOMPARE(matchOf(m, "Larynx").setIndex, 5);
    QVERIFY(!matchOf(m, "External").found());
    int found = 0;
    for (const StructureMatch& one : m) {
      found += one.found() ? 1 : 0;
    }
    QCOMPARE(found, 10);
    QCOMPARE(checkStructureMatches(m, p.name).size(), std::size_t{1}); // External

    // A 70/56 Gy patient without larynx: optional PTV63 and the OARs are warnings only.
    const std::vector<StructureMatch> low =
        matchStructures(p, namesOnly({"PTV70", "PTV56", "SpinalCord", "LeftParotid"}));
    const std::vector<std::string> warnings = checkStructureMatches(low, p.name);
    QCOMPARE(warnings.size(), std::size_t{7});
    QVERIFY2(warnings[0].find("PTV63 (target, optional)") != std::string::npos,
             warnings[0].c_str());
    // Aliases in other spellings: "PTV High" (separators ignored), "oesophagus".
    const std::vector<StructureMatch> other =
        matchStructures(p, namesOnly({"PTV High", "oesophagus", "Cord"}));
    QCOMPARE(matchOf(other, "PTV70").by, MatchedBy::Alias);
    QCOMPARE(matchOf(other, "Esophagus").setName, std::string("oesophagus"));
    QCOMPARE(matchOf(other, "SpinalCord").setName, std::string("Cord"));
    QVERIFY_THROWS_EXCEPTION(DataError,
                             checkStructureMatches(matchStructures(p, namesOnly({"PTV56"})), "hn"));
  }

  void priorityRuleOnMasks() {
    // A: 6 x 6 = 36 voxels, B: 36 voxels, overlapping in 2 x 2 = 4; C: the whole 10 x 10 slice.
    const std::vector<Mask> masks = {box(0, 5, 0, 5), box(4, 9, 4, 9), box(0, 9, 0, 9)};
    auto counts = [](const std::vector<Mask>& assigned) {
      std::vector<std::size_t> n;
      for (const Mask& m : assigned) {
        n.push_back(countInside(m));
      }
      return n;
    };
    // Target (1) before OAR (2) before external (3).
    QCOMPARE(counts(assignVoxels(masks, {1, 2, 3})), (std::vector<std::size_t>{36, 32, 32}));
    // The OAR given the lower number wins the overlap.
    QCOMPARE(counts(assignVoxels(masks, {2, 1, 3})), (std::vector<std::size_t>{32, 36, 32}));
    // Equal numbers: the structure listed first wins.
    QCOMPARE(counts(assignVoxels(masks, {5, 5, 5})), (std::vector<std::size_t>{36, 32, 32}));
    // External first takes everything.
    QCOMPARE(counts(assignVoxels(masks, {2, 3, 1})), (std::vector<std::size_t>{0, 0, 100}));
    const std::vector<Mask> assigned = assignVoxels(masks, {1, 2, 3});
    QCOMPARE(assigned[1](4, 4, 0), std::uint8_t{0});
    QCOMPARE(assigned[1](6, 6, 0), std::uint8_t{1});
    QCOMPARE(assigned[2](9, 0, 0), std::uint8_t{1});
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, assignVoxels(masks, {1, 2}));
    const std::vector<Mask> otherGrid = {
        box(0, 1, 0, 1), Mask(ImageGeometry({5, 5, 1}, Vec3::Zero(), Vec3::Ones()), 1)};
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, assignVoxels(otherGrid, {1, 2}));
  }

  void priorityRuleOnRows() {
    // The same shapes as voxel lists, with the priorities of the head-and-neck protocol: PTV70
    // (1), PTV63 (2) overlapping it, SpinalCord (10) overlapping PTV63 only.
    const Protocol p = loadShippedProtocol("head-neck");
    const std::vector<int> all = structurePriorities(p);
    const std::vector<int> priorities = {all[3], all[1], all[0]}; // cord, PTV63, PTV70
    const std::vector<std::vector<std::uint32_t>> rows = {
        indicesOf(box(7, 9, 0, 9)), // cord: 30 voxels
        indicesOf(box(3, 9, 0, 9)), // PTV63: 70 voxels
        indicesOf(box(0, 4, 0, 9)), // PTV70: 50 voxels
    };
    const auto assigned = assignVoxels(rows, priorities);
    QCOMPARE(assigned[2].size(), std::size_t{50}); // PTV70 keeps all
    QCOMPARE(assigned[1].size(), std::size_t{50}); // PTV63 loses 20 to PTV70 (i = 3, 4)
    QCOMPARE(assigned[0].size(), std::size_t{0});  // the cord lies inside PTV63: none left
    QCOMPARE(assigned[1].front(), std::uint32_t{5});
    QCOMPARE(assigned[1].back(), std::uint32_t{99});
    // With the cord first (priority 0), it keeps its 30 and PTV63 gets 20.
    const auto cordFirst = assignVoxels(rows, {0, 2, 1});
    QCOMPARE(cordFirst[0].size(), std::size_t{30});
    QCOMPARE(cordFirst[1].size(), std::size_t{20});
    QCOMPARE(cordFirst[2].size(), std::size_t{50});
    QVERIFY_THROWS_EXCEPTION(InvalidArgumentError, assignVoxels(rows, {1}));
  }

  void goalsOnSyntheticDose() {
    const Protocol p = loadShippedProtocol("tg119-cshape");
    // 50 Gy in PTV_C, 20 Gy in Core: every goal met.
    const Image good = stepDose(20.0F, 50.0F);
    const std::vector<GoalResult> pass = evaluateGoals(p, tg119_.structures, good);
    QCOMPARE(pass.size(), std::size_t{3});
    const double expectedPass[] = {50.0, 50.0, 20.0};
    for (std::size_t n = 0; n < pass.size(); ++n) {
      QVERIFY2(std::abs(pass[n].achieved - expectedPass[n]) < 1e-6, pass[n].goal.text.c_str());
      QVERIFY2(pass[n].met, pass[n].goal.text.c_str());
      QVERIFY(pass[n].evaluated);
      QVERIFY2(pass[n].note.empty(), pass[n].note.c_str());
    }
    QCOMPARE(pass[2].setName, std::string("Core"));

    // 56 Gy in PTV_C and 30 Gy in Core: D95% met, D10% and the core not.
    const Image bad = stepDose(30.0F, 56.0F);
    const std::vector<GoalResult> fail = evaluateGoals(p, tg119_.structures, bad);
    QVERIFY(std::abs(fail[0].achieved - 56.0) < 1e-6);
    QVERIFY(fail[0].met);
    QVERIFY(std::abs(fail[1].achieved - 56.0) < 1e-6);
    QVERIFY(!fail[1].met);
    QVERIFY(std::abs(fail[2].achieved - 30.0) < 1e-6);
    QVERIFY(!fail[2].met);
    QVERIFY(fail[2].evaluated);

    // Volume goals (% and cc), a goal on a structure outside the protocol, and the tolerance.
    Protocol more = p;
    more.goals = {parseGoal("PTV_C V50Gy >= 95 %"), parseGoal("Core V22Gy <= 0.5 cc"),
                  parseGoal("core Dmean <= 20 Gy"), parseGoal("PTV_C D95% >= 50.00001 Gy")};
    const std::vector<GoalResult> volumes = evaluateGoals(more, tg119_.structures, good);
    QVERIFY2(std::abs(volumes[0].achieved - 100.0) < 1e-6,
             std::to_string(volumes[0].achieved).c_str());
    QVERIFY(volumes[0].met);
    QCOMPARE(volumes[1].achieved, 0.0);
    QVERIFY(volumes[1].met);
    QVERIFY(std::abs(volumes[2].achieved - 20.0) < 1e-6);
    QVERIFY(volumes[2].met);
    QVERIFY(volumes[3].met); // within 1e-6 relative

    // The external reaches past the dose grid: evaluated on the part inside (50 Gy but for the
    // 20 Gy column of radius 12.5 mm: 6% of the 91 x 91 mm grid), with the DVH's warning in the
    // note (2 mm samples: the whole box at 0.5 mm would take 100 million).
    more.goals = {parseGoal("External Dmean <= 45 Gy")};
    DvhOptions coarse;
    coarse.sampleSpacingMm = 2.0;
    const std::vector<GoalResult> external = evaluateGoals(more, tg119_.structures, good, coarse);
    QVERIFY(external[0].evaluated);
    QVERIFY2(external[0].achieved > 47.0 && external[0].achieved < 49.0,
             std::to_string(external[0].achieved).c_str());
    QVERIFY(!external[0].met);
    QVERIFY2(external[0].note.find("outside the dose grid") != std::string::npos,
             external[0].note.c_str());

    // Goals on structures the set lacks (or without contours) are not met, with a note.
    StructureSet partial = tg119_.structures;
    partial.structures.erase(partial.structures.begin() + 2); // Core
    partial.structures[0].contours.clear();                   // External without contours
    more.goals = {parseGoal("Core D10% <= 25 Gy"), parseGoal("External Dmax <= 60 Gy"),
                  parseGoal("PTV_C D95% >= 50 Gy")};
    const std::vector<GoalResult> missing = evaluateGoals(more, partial, good);
    QVERIFY(!missing[0].met);
    QVERIFY(!missing[0].evaluated);
    QVERIFY(std::isnan(missing[0].achieved));
    QVERIFY2(missing[0].note.find("the structure set has no Core") == 0, missing[0].note.c_str());
    QVERIFY(!missing[1].met);
    QVERIFY(!missing[1].evaluated);
    QVERIFY2(missing[1].note.find("no DVH for External") == 0, missing[1].note.c_str());
    QVERIFY(missing[2].met);
  }

  void goalMetTolerance() {
    const ClinicalGoal atLeast = parseGoal("PTV D95% >= 66.5 Gy");
    QVERIFY(goalMet(atLeast, 66.5));
    QVERIFY(goalMet(atLeast, 66.5 - 5e-5));
    QVERIFY(!goalMet(atLeast, 66.5 - 2e-4));
    QVERIFY(!goalMet(atLeast, std::nan("")));
    const ClinicalGoal atMost = parseGoal("Cord Dmax <= 45 Gy");
    QVERIFY(goalMet(atMost, 45.0 + 4e-5));
    QVERIFY(!goalMet(atMost, 45.001));
  }
};

QTEST_APPLESS_MAIN(TestProtocol)
#include "TestProtocol.moc"
