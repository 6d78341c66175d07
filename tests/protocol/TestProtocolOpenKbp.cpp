// The head-and-neck protocol on the structure names of every OpenKBP patient (shared/data/openkbp:
// one mask file per structure, named Brainstem, SpinalCord, RightParotid, LeftParotid, Esophagus,
// Larynx, Mandible, PTV56, PTV63, PTV70): every mask is matched to a protocol structure, no patient
// misses a required target, and what is missing is only a warning.

#include "TestData.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/Protocol.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <filesystem>
#include <map>

using namespace beamlet;
using namespace beamlet::dose;

namespace fs = std::filesystem;

namespace {

// The structures of one patient: the names of its mask files.
StructureSet masksOf(const fs::path& patient) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(patient)) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = ".nii.gz";
    if (file.size() <= suffix.size() ||
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string name = file.substr(0, file.size() - suffix.size());
    if (name != "ct" && name != "dose" && name != "possible_dose_mask") {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  StructureSet set;
  for (const std::string& name : names) {
    Structure s;
    s.roiNumber = static_cast<int>(set.structures.size()) + 1;
    s.name = name;
    set.structures.push_back(s);
  }
  return set;
}

} // namespace

class TestProtocolOpenKbp : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void everyPatientMatches() {
    BEAMLET_REQUIRE_DATA("openkbp/train");
    const Protocol p = loadShippedProtocol("head-neck");
    int patients = 0;
    std::map<std::string, int> matchedBy; // "LeftParotid -> Parotid_L (TG-263 name)": patients
    std::map<std::size_t, int> warningCounts;
    for (const char* split : {"train", "valid"}) {
      for (const auto& entry :
           fs::directory_iterator(beamlet::test::dataPath("openkbp/") + split)) {
        if (!entry.is_directory()) {
          continue;
        }
        const StructureSet set = masksOf(entry.path());
        const std::vector<StructureMatch> matches = matchStructures(p, set);
        std::vector<bool> used(set.structures.size(), false);
        for (const StructureMatch& m : matches) {
          if (m.found()) {
            used[static_cast<std::size_t>(m.setIndex)] = true;
            QVERIFY2(m.note.empty(), m.note.c_str());
            ++matchedBy[m.setName + " -> " + m.protocolName + " (" + matchedByName(m.by) + ")"];
          }
        }
        for (std::size_t n = 0; n < used.size(); ++n) {
          const std::string what = entry.path().string() + ": " + set.structures[n].name +
                                   " matches no protocol structure";
          QVERIFY2(used[n], what.c_str());
        }
        std::vector<std::string> warnings;
        try {
          warnings = checkStructureMatches(matches, p.name);
        } catch (const Error& e) {
          QFAIL((entry.path().string() + ": " + e.what()).c_str());
        }
        ++warningCounts[warnings.size()];
        ++patients;
      }
    }
    // 90 training and 33 validation patients (shared/data/README.md).
    QCOMPARE(patients, 123);
    // Every mask name maps to one protocol structure, always the same way.
    const std::map<std::string, std::string> expected = {
        {"Brainstem", "Brainstem (name)"},
        {"SpinalCord", "SpinalCord (name)"},
        {"LeftParotid", "Parotid_L (TG-263 name)"},
        {"RightParotid", "Parotid_R (TG-263 name)"},
        {"Esophagus", "Esophagus (name)"},
        {"Larynx", "Larynx (name)"},
        {"Mandible", "Bone_Mandible (TG-263 name)"},
        {"PTV56", "PTV56 (name)"},
        {"PTV63", "PTV63 (name)"},
        {"PTV70", "PTV70 (name)"}};
    int total = 0;
    for (const auto& [key, count] : matchedBy) {
      const std::string mask = key.substr(0, key.find(" -> "));
      const auto it = expected.find(mask);
      QVERIFY2(it != expected.end() && key == mask + " -> " + it->second, key.c_str());
      total += count;
    }
    QCOMPARE(matchedBy.at("PTV70 -> PTV70 (name)"), 123);
    // The has_* columns of openkbp/stats.csv add up to 959 masks.
    QCOMPARE(total, 959);
    qInfo("%d patients, %d structures matched; warnings per patient (count: patients):", patients,
          total);
    for (const auto& [count, n] : warningCounts) {
      qInfo("  %zu: %d", count, n);
    }
    // External is never among the masks: at least one warning each.
    QCOMPARE(warningCounts.count(0), std::size_t{0});
  }
};

QTEST_APPLESS_MAIN(TestProtocolOpenKbp)
#include "TestProtocolOpenKbp.moc"
