#pragma once
// The main window: File menu, the series list of the open folder, the axial slice view with its
// slider and window/level presets, and a status bar with the cursor readout. Scanning and loading
// run on a worker thread behind a progress dialog that can cancel them.

#include "WindowLevel.h"

#include "beamlet/app/Session.h"

#include <QMainWindow>

#include <functional>
#include <memory>
#include <string>
#include <thread>

class QAction;
class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QProgressBar;
class QProgressDialog;
class QSlider;

namespace beamlet::gui {

class SliceView;

class MainWindow : public QMainWindow {
  Q_OBJECT

public:
  explicit MainWindow(QWidget* parent = nullptr);
  /// Cancels a running scan or load and waits for it, so the worker never outlives the session.
  ~MainWindow() override;

  /// Scans a folder in the background and lists its image series. Loads a series afterwards when
  /// the folder holds exactly one, or the first one when loadFirstSeries is set.
  void openFolder(const QString& dir, bool loadFirstSeries = false);
  /// Loads a series of the open folder (by SeriesEntry::id) in the background.
  void loadSeries(const QString& seriesId);
  /// Loads the built-in demo phantom (in the background too, for one code path).
  void openDemo();

  /// True while a scan or load runs; the session must not be touched then.
  bool isBusy() const { return task_ != nullptr; }
  const app::Session& session() const { return *session_; }
  /// The image shown, or nullptr (also while a load runs).
  const Image* image() const;

  SliceView* sliceView() const { return sliceView_; }
  QSlider* sliceSlider() const { return slider_; }
  QListWidget* seriesList() const { return seriesList_; }
  QComboBox* presetBox() const { return presetBox_; }
  QLabel* viewInfoLabel() const { return viewInfo_; }
  QLabel* cursorLabel() const { return cursorLabel_; }

signals:
  /// A scan or load ended; ok is false after an error or a cancel.
  void taskFinished(bool ok);
  void imageLoaded();

private:
  struct Task;
  struct Outcome {
    bool ok = false;
    bool cancelled = false;
    QString error;
  };

  void buildMenus();
  void buildWidgets();
  void chooseFolder();
  /// Runs work(monitor) on a worker thread; then() runs on the GUI thread if it succeeded.
  void startTask(const QString& title, std::function<void(ProgressMonitor&)> work,
                 std::function<void()> then);
  void onProgress(int permille, const QString& stage);
  void finishTask(const Outcome& outcome);
  void setBusy(bool busy);

  void showSeries(bool loadFirstSeries);
  void showImage(const QString& loadedSeriesId);
  void onSeriesItemActivated(QListWidgetItem* item);
  void onPresetChosen(int index);
  void onWindowLevelDragged();
  void updateViewInfo();
  void updateCursorReadout(int i, int j, int k);
  void showError(const QString& message);
  void showWarnings(const std::vector<std::string>& warnings);

  std::unique_ptr<app::Session> session_;
  std::unique_ptr<Task> task_;
  WindowLevel autoWindowLevel_;
  QString loadedSeriesId_;
  QString lastFolder_; ///< where the folder dialog starts next time

  QAction* openFolderAction_ = nullptr;
  QAction* openDemoAction_ = nullptr;
  QListWidget* seriesList_ = nullptr;
  SliceView* sliceView_ = nullptr;
  QSlider* slider_ = nullptr;
  QComboBox* presetBox_ = nullptr;
  QLabel* viewInfo_ = nullptr;
  QLabel* cursorLabel_ = nullptr;
};

} // namespace beamlet::gui
