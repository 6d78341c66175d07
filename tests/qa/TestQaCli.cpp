// `beamlet-cli qa` as a user runs it: baselines made by `beamlet-cli plan` (the TG-119 phantom and
// the OpenKBP patient pt_201), a suite of three cases (TG-119, OpenKBP, one whose baseline is
// missing) read back through a JUnit parser (python3-junitparser), the same suite without the
// broken case passing, a drifted dose that must fail, and malformed suites refused in one line.

#include "CliRunner.h"
#include "TestData.h"

#include "beamlet/dicom/RtDose.h"
#include "beamlet/dicom/VolumeFile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace beamlet;
namespace fs = std::filesystem;

namespace {

QString arg(const fs::path& p) {
  return QString::fromStdString(p.string());
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
}

std::string readText(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream s;
  s << file.rdbuf();
  return s.str();
}

const char* const kOpenKbp = "openkbp/valid/pt_201";

// Cases of the suites, relative to the suite file (in the test's folder, beside A/ and B/).
const char* const kTg119Case = R"({"name": "TG-119 C-shape", "description": "RTPLAN recomputed",
  "image": "A/CT", "structures": "A/RS.dcm", "plan": "A/RP.dcm", "baseline": "A/RD.dcm",
  "tolerances": {"gamma": {"dose_percent": 2, "distance_mm": 2, "threshold_percent": 10,
                           "min_pass_rate_percent": 99},
                 "dvh": [{"structure": "PTV_C", "metric": "D95%", "tolerance_Gy": 0.5},
                         {"structure": "Core", "metric": "D10%", "tolerance_Gy": 0.5}]}})";

const char* const kOpenKbpCase = R"({"name": "OpenKBP pt_201", "image": "B/CT",
  "structures": "B/RS.dcm", "plan": "B/RP.dcm", "baseline": "B/RD.dcm",
  "tolerances": {"gamma": {"dose_percent": 2, "distance_mm": 2, "threshold_percent": 10,
                           "min_pass_rate_percent": 99},
                 "dvh": [{"structure": "PTV70", "metric": "D95%", "tolerance_Gy": 0.5},
                         {"structure": "SpinalCord", "metric": "Dmax", "tolerance_percent": 2},
                         {"structure": "LeftParotid", "metric": "Dmean", "tolerance_Gy": 0.5}]}})";

const char* const kBrokenCase = R"({"name": "broken", "image": "A/CT", "structures": "A/RS.dcm",
  "plan": "A/RP.dcm", "baseline": "A/missing-RD.dcm",
  "tolerances": {"gamma": {"dose_percent": 2, "distance_mm": 2, "min_pass_rate_percent": 99}}})";

std::string suite(const std::vector<const char*>& cases) {
  std::string text =
      R"({"format": "beamlet-qa-suite", "version": 1, "name": "nightly", "cases": [)";
  for (std::size_t n = 0; n < cases.size(); ++n) {
    text += (n == 0 ? "" : ",\n") + std::string(cases[n]);
  }
  return text + "]}\n";
}

struct JunitCase {
  QString name;
  QString result; ///< "passed", "failure" or "error"
  QString message;
};

struct JunitReport {
  QString error; ///< why it could not be read
  int tests = -1;
  int failures = -1;
  int errors = -1;
  std::vector<JunitCase> cases;
};

// Reads JUnit XML with python3-junitparser, as a CI server's parser would.
JunitReport readJunit(const fs::path& xml) {
  const char* script = R"(
import json, sys
from junitparser import JUnitXml, Failure, Error
xml = JUnitXml.fromfile(sys.argv[1])
suites = list(xml) if hasattr(xml, '__iter__') else [xml]
out = {"tests": 0, "failures": 0, "errors": 0, "cases": []}
for s in suites:
    out["tests"] += s.tests
    out["failures"] += s.failures
    out["errors"] += s.errors
    for c in s:
        result, message = "passed", ""
        for r in c.result:
            result = "failure" if isinstance(r, Failure) else "error" if isinstance(r, Error) else "skipped"
            message = r.message or ""
        out["cases"].append({"name": c.name, "result": result, "message": message})
print(json.dumps(out))
)";
  JunitReport report;
  QProcess p;
  p.start("/usr/bin/python3", {"-c", script, arg(xml)});
  if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
    report.error = QString::fromUtf8(p.readAllStandardError());
    return report;
  }
  const QJsonObject j = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
  report.tests = j["tests"].toInt();
  report.failures = j["failures"].toInt();
  report.errors = j["errors"].toInt();
  for (const auto& c : j["cases"].toArray()) {
    const QJsonObject o = c.toObject();
    report.cases.push_back({o["name"].toString(), o["result"].toString(), o["message"].toString()});
  }
  return report;
}

bool haveJunitParser() {
  QProcess p;
  p.start("/usr/bin/python3", {"-c", "import junitparser"});
  return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

const JunitCase* findCase(const JunitReport& report, const QString& name) {
  for (const JunitCase& c : report.cases) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

} // namespace

#define REQUIRE_JUNIT_PARSER()                                                                     \
  do {                                                                                             \
    if (!haveJunitParser()) {                                                                      \
      if (test::testDataRequired()) {                                                              \
        QFAIL("python3-junitparser is missing (installer/debian-deps.sh)");                        \
      }                                                                                            \
      QSKIP("python3-junitparser is missing (installer/debian-deps.sh)");                          \
    }                                                                                              \
  } while (false)

class TestQaCli : public QObject {
  Q_OBJECT

private:
  QTemporaryDir dir_;
  bool openKbpBaseline_ = false;

  fs::path root() const { return fs::path(dir_.path().toStdString()); }

  // B/: pt_201 planned with the head-and-neck protocol (CT/, RS.dcm, RP.dcm, RD.dcm), once.
  bool makeOpenKbpBaseline() {
    if (openKbpBaseline_) {
      return true;
    }
    const test::CliRun r = test::runCli(
        {"-q", "plan", "head-neck", "--image", test::dataArg(std::string(kOpenKbp) + "/ct.nii.gz"),
         "--structures", test::dataArg(kOpenKbp), "--out", arg(root() / "B"), "--threads", "2"},
        600000);
    if (r.exitCode != 0) {
      qWarning("plan head-neck failed: %s", qPrintable(r.err));
      return false;
    }
    openKbpBaseline_ = true;
    return true;
  }

  test::CliRun runQa(const std::string& suiteName, const std::string& text,
                     const QStringList& extra = {}) {
    writeText(root() / suiteName, text);
    QStringList args{"-q", "qa", arg(root() / suiteName), "--threads", "2"};
    args << extra;
    return test::runCli(args, 600000);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // A/: the TG-119 phantom planned with tg119-cshape (CT/, RS.dcm, RP.dcm, RD.dcm).
    const test::CliRun r = test::runCli(
        {"-q", "plan", "--demo", "tg119", "--out", arg(root() / "A"), "--threads", "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
  }

  // The acceptance suite: TG-119, OpenKBP and a broken case -> exit 1, JUnit XML a parser reads.
  void suiteWithABrokenCaseFails() {
    BEAMLET_REQUIRE_DATA(kOpenKbp);
    REQUIRE_JUNIT_PARSER();
    QVERIFY(makeOpenKbpBaseline());
    const fs::path xml = root() / "r.xml";
    const fs::path html = root() / "r.html";
    const test::CliRun r =
        runQa("suite.json", suite({kTg119Case, kOpenKbpCase, kBrokenCase}),
              {"--junit", arg(xml), "--html", arg(html), "--out", arg(root() / "run1")});
    qInfo("%s", qPrintable(r.out));
    QVERIFY2(r.exitCode == 1, qPrintable(r.err));
    QVERIFY(r.out.contains("PASS  TG-119 C-shape"));
    QVERIFY(r.out.contains("PASS  OpenKBP pt_201"));
    QVERIFY(r.out.contains("ERROR broken"));

    const JunitReport junit = readJunit(xml);
    QVERIFY2(junit.error.isEmpty(), qPrintable(junit.error));
    QCOMPARE(junit.tests, 3);
    QCOMPARE(junit.failures + junit.errors, 1);
    QCOMPARE(junit.cases.size(), std::size_t{3});
    const JunitCase* broken = findCase(junit, "broken");
    QVERIFY(broken != nullptr);
    QVERIFY(broken->result == "error" || broken->result == "failure");
    QVERIFY2(broken->message.contains(arg(root() / "A" / "missing-RD.dcm")),
             qPrintable(broken->message));
    for (const char* name : {"TG-119 C-shape", "OpenKBP pt_201"}) {
      const JunitCase* c = findCase(junit, name);
      QVERIFY2(c != nullptr && c->result == "passed", name);
    }

    const std::string page = readText(html);
    QVERIFY(page.find("<svg") != std::string::npos);
    QVERIFY(page.find("OpenKBP pt_201") != std::string::npos);
    QVERIFY(page.find("missing-RD.dcm") != std::string::npos);
    // Each case's files in its own folder.
    QVERIFY(fs::exists(root() / "run1" / "TG-119_C-shape" / "RD.dcm"));
    QVERIFY(fs::exists(root() / "run1" / "OpenKBP_pt_201" / "RD.dcm"));
    QVERIFY(fs::exists(root() / "run1" / "results.json"));
  }

  // The same suite without the broken case passes.
  void suiteWithoutTheBrokenCasePasses() {
    BEAMLET_REQUIRE_DATA(kOpenKbp);
    QVERIFY(makeOpenKbpBaseline());
    const fs::path xml = root() / "r2.xml";
    const test::CliRun r = runQa("suite2.json", suite({kTg119Case, kOpenKbpCase}),
                                 {"--junit", arg(xml), "--json", "--out", arg(root() / "run2")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
    const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["format"].toString(), QString("beamlet-qa-results"));
    QCOMPARE(j["passed"].toInt(), 2);
    for (const auto& c : j["cases"].toArray()) {
      const QJsonObject k = c.toObject();
      const QJsonObject gamma = k["gamma"].toObject();
      qInfo("%s: gamma %.2f%%", qPrintable(k["name"].toString()),
            gamma["pass_rate_percent"].toDouble());
      QCOMPARE(k["status"].toString(), QString("passed"));
      QVERIFY(gamma["pass_rate_percent"].toDouble() >= 99.0);
      for (const auto& m : k["dvh"].toArray()) {
        const QJsonObject metric = m.toObject();
        qInfo("  %s %s: baseline %.3f, evaluated %.3f %s",
              qPrintable(metric["structure"].toString()), qPrintable(metric["metric"].toString()),
              metric["baseline"].toDouble(), metric["evaluated"].toDouble(),
              qPrintable(metric["unit"].toString()));
        QVERIFY(metric["passed"].toBool());
      }
    }
    QVERIFY(fs::exists(xml));
  }

  // A dose 5% higher than the baseline must fail gamma 2%/2 mm and the DVH tolerances; the
  // protocol is planned anew on the phantom. A missing baseline is an error, the run goes on.
  void driftIsCaught() {
    REQUIRE_JUNIT_PARSER();
    VolumeF32 dose = dicom::readDose((root() / "A" / "RD.dcm").string()).toFloat();
    for (float& v : dose.voxels()) {
      v *= 1.05f;
    }
    dicom::writeVolumeFile(Image(std::move(dose)), (root() / "A" / "RD-drift.mha").string());
    const char* drifted = R"({"name": "drifted", "demo": "tg119", "protocol": "tg119-cshape",
      "baseline": "A/RD-drift.mha",
      "tolerances": {"gamma": {"dose_percent": 2, "distance_mm": 2, "min_pass_rate_percent": 99},
                     "dvh": [{"structure": "PTV_C", "metric": "D95%", "tolerance_Gy": 0.5}]}})";
    const fs::path xml = root() / "drift.xml";
    const fs::path html = root() / "drift.html";
    const test::CliRun r =
        runQa("drift.json", suite({drifted, kBrokenCase}),
              {"--json", "--junit", arg(xml), "--html", arg(html), "--out", arg(root() / "run3")});
    QVERIFY2(r.exitCode == 1, qPrintable(r.err + r.out));
    const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["failed"].toInt(), 1);
    QCOMPARE(j["errors"].toInt(), 1);
    const QJsonObject c = j["cases"].toArray()[0].toObject();
    QCOMPARE(c["status"].toString(), QString("failed"));
    const QJsonObject gamma = c["gamma"].toObject();
    qInfo("5%% drift: gamma 2%%/2 mm pass rate %.2f%%; %s", gamma["pass_rate_percent"].toDouble(),
          qPrintable(c["reason"].toString()));
    QVERIFY(!gamma["passed"].toBool());
    QVERIFY(gamma["pass_rate_percent"].toDouble() < 99.0);
    const QJsonObject d95 = c["dvh"].toArray()[0].toObject();
    QVERIFY(!d95["passed"].toBool());
    QVERIFY(std::abs(d95["baseline"].toDouble() / d95["evaluated"].toDouble() - 1.05) < 0.01);
    const QJsonObject broken = j["cases"].toArray()[1].toObject();
    QCOMPARE(broken["status"].toString(), QString("error"));
    QVERIFY(broken["reason"].toString().contains("missing-RD.dcm"));
    QCOMPARE(j["out"].toString(), arg(root() / "run3"));
    QVERIFY(fs::exists(root() / "run3" / "drifted" / "RP.dcm"));

    const JunitReport junit = readJunit(xml);
    QVERIFY2(junit.error.isEmpty(), qPrintable(junit.error));
    QCOMPARE(junit.tests, 2);
    QCOMPARE(junit.failures, 1);
    QCOMPARE(junit.errors, 1);
    QCOMPARE(findCase(junit, "drifted")->result, QString("failure"));
    QVERIFY(findCase(junit, "drifted")->message.contains("gamma 2%/2 mm"));
    QVERIFY(readText(html).find("<svg") != std::string::npos);
  }

  // Without test data: the TG-119 RTPLAN recomputed passes, exit 0.
  void recomputedTg119Passes() {
    const test::CliRun r =
        runQa("tg119.json", suite({kTg119Case}), {"--out", arg(root() / "run4")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
    QVERIFY(r.out.contains("1 of 1 cases passed"));
  }

  // A suite that cannot be read is refused in one line naming the file and the key, and nothing
  // is written.
  void malformedSuitesAreRefused() {
    struct Bad {
      const char* file;
      std::string text;
      const char* expected;
    };
    const std::vector<Bad> bad{
        {"bad-json.json", "{\"format\": \"beamlet-qa-suite\", \"cases\": [", "not valid JSON"},
        {"unknown-key.json", suite({R"({"name": "x", "demo": "tg119", "protocol": "tg119-cshape",
                    "baseline": "A/RD.dcm", "tolerance": {}})"}),
         "cases[0]: unknown key 'tolerance'"},
        {"bad-format.json", R"({"format": "something", "version": 1, "cases": []})", "format"},
        {"bad-gamma.json", suite({R"({"name": "x", "demo": "tg119", "protocol": "tg119-cshape",
                    "baseline": "A/RD.dcm", "tolerances": {"gamma": {"dose_percent": -2,
                    "distance_mm": 2, "min_pass_rate_percent": 99}}})"}),
         "cases[0].tolerances.gamma.dose_percent"},
        {"bad-metric.json", suite({R"({"name": "x", "demo": "tg119", "protocol": "tg119-cshape",
                    "baseline": "A/RD.dcm", "tolerances": {"dvh": [{"structure": "PTV_C",
                    "metric": "D95", "tolerance_Gy": 1}]}})"}),
         "cases[0].tolerances.dvh[0].metric"},
        {"same-names.json", suite({kTg119Case, kTg119Case}), "cases[1].name"},
    };
    for (const Bad& b : bad) {
      const fs::path out = root() / (std::string(b.file) + ".out");
      const test::CliRun r = runQa(b.file, b.text, {"--out", arg(out)});
      QVERIFY2(r.exitCode == 1, b.file);
      const QString err = r.err.trimmed();
      QVERIFY2(!err.contains('\n'), qPrintable(err));
      QVERIFY2(err.startsWith("beamlet-cli: error: " + arg(root() / b.file) + ": "),
               qPrintable(err));
      QVERIFY2(err.contains(b.expected), qPrintable(err));
      QVERIFY2(!fs::exists(out), b.file);
    }
    const test::CliRun missing = test::runCli({"-q", "qa", arg(root() / "no-such-suite.json")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.err.contains("no-such-suite.json"));
  }
};

QTEST_APPLESS_MAIN(TestQaCli)
#include "TestQaCli.moc"
