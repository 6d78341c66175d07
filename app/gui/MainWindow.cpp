#include "MainWindow.h"

#include "SliceView.h"
#include "VoxelReadout.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QProgressDialog>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

namespace beamlet::gui {

namespace {
// Progress is reported in thousandths: fine enough for a bar, coarse enough that a scan of
// thousands of files does not flood the event queue.
constexpr int kProgressSteps = 1000;
constexpr int kProgressShowDelayMs = 300;
constexpr int kStatusTimeoutMs = 10000;
} // namespace

/// One background scan or load. The worker thread has the session to itself until finishTask:
/// the GUI thread then reads only what the work does not write (the image during a scan; nothing
/// during a load, when the view is detached from the session).
struct MainWindow::Task {
  ProgressMonitor monitor;
  std::thread thread;
  std::function<void()> then;
  QProgressDialog* dialog = nullptr;
  QProgressBar* bar = nullptr;
  // Worker side only (the monitor serialises its callback): what was last posted to the GUI.
  int postedPermille = -1;
  std::string postedStage;
};

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), session_(std::make_unique<app::Session>()) {
  setWindowTitle(tr("Beamlet"));
  buildMenus();
  buildWidgets();
  resize(1100, 760);
  statusBar()->showMessage(tr("Open a DICOM folder or the demo case from the File menu"));
}

MainWindow::~MainWindow() {
  if (task_) {
    task_->monitor.cancel();
    task_->thread.join();
  }
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  openFolderAction_ = file->addAction(tr("Open DICOM folder..."), this, &MainWindow::chooseFolder);
  openFolderAction_->setShortcut(QKeySequence::Open);
  openDemoAction_ = file->addAction(tr("Open demo case"), this, &MainWindow::openDemo);
  file->addSeparator();
  QAction* quit = file->addAction(tr("Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::buildWidgets() {
  seriesList_ = new QListWidget;
  seriesList_->setMinimumWidth(220);
  seriesList_->setToolTip(tr("Image series of the open folder: click or double-click to load"));
  connect(seriesList_, &QListWidget::itemActivated, this, &MainWindow::onSeriesItemActivated);
  connect(seriesList_, &QListWidget::itemClicked, this, &MainWindow::onSeriesItemActivated);

  sliceView_ = new SliceView;
  slider_ = new QSlider(Qt::Vertical);
  slider_->setRange(0, 0);
  // One slice per PageUp/PageDown, as in the view, so both behave the same whichever has focus.
  slider_->setPageStep(1);
  slider_->setEnabled(false);
  slider_->setToolTip(tr("Slice (also mouse wheel, PageUp/PageDown in the view)"));

  presetBox_ = new QComboBox;
  for (const WindowPreset& preset : windowPresets()) {
    presetBox_->addItem(preset.name);
  }
  presetBox_->addItem(tr("Custom"));
  presetBox_->setToolTip(tr("Window/level preset (or drag with the right mouse button: "
                            "horizontal = width, vertical = level)"));
  viewInfo_ = new QLabel;
  viewInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Window:")));
  controls->addWidget(presetBox_);
  controls->addSpacing(12);
  controls->addWidget(viewInfo_, 1);

  auto* viewRow = new QHBoxLayout;
  viewRow->addWidget(sliceView_, 1);
  viewRow->addWidget(slider_);

  auto* centre = new QWidget;
  auto* centreLayout = new QVBoxLayout(centre);
  centreLayout->addLayout(controls);
  centreLayout->addLayout(viewRow, 1);

  auto* splitter = new QSplitter;
  splitter->addWidget(seriesList_);
  splitter->addWidget(centre);
  splitter->setStretchFactor(1, 1);
  splitter->setSizes({260, 840});
  setCentralWidget(splitter);

  // A permanent widget, because temporary status messages (errors, warnings) would hide a normal
  // one.
  cursorLabel_ = new QLabel;
  cursorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  // Wide enough for a long readout, so the status bar does not jump or clip as the mouse moves.
  cursorLabel_->setMinimumWidth(cursorLabel_->fontMetrics().horizontalAdvance(
      QStringLiteral("voxel (511, 511, 511)   -999.9 -999.9 -999.9 mm (LPS)   -1000 HU")));
  statusBar()->addPermanentWidget(cursorLabel_);

  connect(slider_, &QSlider::valueChanged, sliceView_, &SliceView::setSlice);
  connect(sliceView_, &SliceView::sliceChanged, this, [this](int k) {
    slider_->setValue(k);
    updateViewInfo();
  });
  connect(sliceView_, &SliceView::windowLevelChanged, this, &MainWindow::updateViewInfo);
  connect(sliceView_, &SliceView::windowLevelDragged, this, &MainWindow::onWindowLevelDragged);
  connect(presetBox_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          &MainWindow::onPresetChosen);
  connect(sliceView_, &SliceView::cursorMoved, this, &MainWindow::updateCursorReadout);
  connect(sliceView_, &SliceView::cursorLeft, cursorLabel_, &QLabel::clear);
  updateViewInfo();
}

const Image* MainWindow::image() const {
  return sliceView_->image();
}

void MainWindow::chooseFolder() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open DICOM folder"), lastFolder_);
  if (!dir.isEmpty()) {
    lastFolder_ = dir;
    openFolder(dir);
  }
}

void MainWindow::openFolder(const QString& dir, bool loadFirstSeries) {
  if (isBusy()) {
    return;
  }
  const std::string path = dir.toStdString();
  startTask(
      tr("Scanning %1").arg(dir),
      [this, path](ProgressMonitor& monitor) { session_->openFolder(path, &monitor); },
      [this, loadFirstSeries] { showSeries(loadFirstSeries); });
}

void MainWindow::loadSeries(const QString& seriesId) {
  if (isBusy()) {
    return;
  }
  // The load replaces the session's image while it runs, so the view must let go of it first.
  sliceView_->setImage(nullptr);
  const std::string id = seriesId.toStdString();
  startTask(
      tr("Loading series"),
      [this, id](ProgressMonitor& monitor) { session_->loadSeries(id, &monitor); },
      [this, seriesId] { showImage(seriesId); });
}

void MainWindow::openDemo() {
  if (isBusy()) {
    return;
  }
  sliceView_->setImage(nullptr);
  startTask(
      tr("Opening demo case"), [this](ProgressMonitor& /*monitor*/) { session_->loadDemo(); },
      [this] { showImage(QString()); });
}

void MainWindow::startTask(const QString& title, std::function<void(ProgressMonitor&)> work,
                           std::function<void()> then) {
  task_ = std::make_unique<Task>();
  Task* task = task_.get();
  task->then = std::move(then);

  task->dialog = new QProgressDialog(title, tr("Cancel"), 0, kProgressSteps, this);
  // Our own bar, updated directly: QProgressDialog::setValue on a modal dialog runs a nested
  // event loop, which could deliver finishTask in the middle of a progress update.
  task->bar = new QProgressBar(task->dialog);
  task->dialog->setBar(task->bar);
  task->dialog->setRange(0, kProgressSteps);
  task->bar->setValue(0);
  task->dialog->setWindowTitle(tr("Beamlet"));
  task->dialog->setWindowModality(Qt::WindowModal);
  task->dialog->setAutoClose(false);
  task->dialog->setAutoReset(false);
  // Short jobs finish before the dialog appears; this restarts its show timer.
  task->dialog->setMinimumDuration(kProgressShowDelayMs);
  connect(task->dialog, &QProgressDialog::canceled, this, [this] {
    if (task_) {
      task_->monitor.cancel();
      task_->dialog->setLabelText(tr("Cancelling..."));
    }
  });

  task->monitor.setCallback([this, task](double fraction, const std::string& stage) {
    const int permille = static_cast<int>(fraction * kProgressSteps);
    if (permille == task->postedPermille && stage == task->postedStage) {
      return;
    }
    task->postedPermille = permille;
    task->postedStage = stage;
    QMetaObject::invokeMethod(
        this,
        [this, permille, text = QString::fromStdString(stage)] { onProgress(permille, text); },
        Qt::QueuedConnection);
  });

  setBusy(true);
  task->thread = std::thread([this, task, work = std::move(work)] {
    Outcome outcome;
    try {
      work(task->monitor);
      outcome.ok = true;
    } catch (const CancelledError&) {
      outcome.cancelled = true;
    } catch (const Error& e) {
      outcome.error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      outcome.error = tr("unexpected failure: %1").arg(QString::fromStdString(e.what()));
    } catch (...) {
      outcome.error = tr("unexpected failure");
    }
    // Queued to the window: if it is destroyed first, its destructor has joined this thread and
    // Qt drops the pending call.
    QMetaObject::invokeMethod(
        this, [this, outcome] { finishTask(outcome); }, Qt::QueuedConnection);
  });
}

void MainWindow::onProgress(int permille, const QString& stage) {
  if (!task_ || task_->monitor.isCancelled()) {
    return;
  }
  task_->bar->setValue(permille);
  if (!stage.isEmpty()) {
    task_->dialog->setLabelText(stage);
  }
}

void MainWindow::finishTask(const Outcome& outcome) {
  if (!task_) {
    return;
  }
  task_->thread.join();
  std::function<void()> then = std::move(task_->then);
  // Deleted now rather than later so its show timer cannot pop it up after the work is done.
  delete task_->dialog;
  task_.reset();
  setBusy(false);

  bool ok = outcome.ok;
  if (ok) {
    try {
      then();
    } catch (const Error& e) {
      ok = false;
      showError(QString::fromStdString(e.what()));
    } catch (const std::exception& e) {
      ok = false;
      showError(tr("unexpected failure: %1").arg(QString::fromStdString(e.what())));
    }
  } else if (outcome.cancelled) {
    statusBar()->showMessage(tr("Cancelled"), kStatusTimeoutMs);
  } else {
    showError(outcome.error);
  }
  // A failed or cancelled load leaves the session's previous image, so show it again.
  if (!isBusy() && sliceView_->image() == nullptr && session_->image() != nullptr) {
    sliceView_->setImage(session_->image());
    slider_->setRange(0, session_->image()->geometry().dims[2] - 1);
    slider_->setValue(sliceView_->slice());
    slider_->setEnabled(true);
  }
  emit taskFinished(ok);
}

void MainWindow::setBusy(bool busy) {
  openFolderAction_->setEnabled(!busy);
  openDemoAction_->setEnabled(!busy);
  seriesList_->setEnabled(!busy);
  if (busy) {
    slider_->setEnabled(false);
    cursorLabel_->clear();
  } else {
    slider_->setEnabled(sliceView_->image() != nullptr);
  }
}

void MainWindow::showSeries(bool loadFirstSeries) {
  const dicom::DicomIndex& index = *session_->index();
  const auto all = index.allSeries();
  seriesList_->clear();
  for (const dicom::SeriesEntry* series : all) {
    const QString description = series->description.empty()
                                    ? tr("(no description)")
                                    : QString::fromStdString(series->description);
    auto* item = new QListWidgetItem(tr("%1  %2\n%3 x %4, %5 slices")
                                         .arg(QString::fromStdString(series->modality), description)
                                         .arg(series->columns())
                                         .arg(series->rows())
                                         .arg(series->frameCount()));
    item->setData(Qt::UserRole, QString::fromStdString(series->id));
    QString tip = tr("Series %1").arg(QString::fromStdString(series->id));
    if (const auto spacing = series->spacing()) {
      tip += tr("\nspacing %1 x %2 x %3 mm")
                 .arg((*spacing)[0], 0, 'f', 2)
                 .arg((*spacing)[1], 0, 'f', 2)
                 .arg((*spacing)[2], 0, 'f', 2);
    }
    item->setToolTip(tip);
    seriesList_->addItem(item);
  }
  const QString root = QString::fromStdString(index.root);
  QString summary = tr("%1: %n image series", nullptr, static_cast<int>(all.size())).arg(root);
  if (!index.rtObjects.empty()) {
    summary += tr(", %n RT objects", nullptr, static_cast<int>(index.rtObjects.size()));
  }
  if (!index.skipped.empty()) {
    summary += tr(", %n files skipped", nullptr, static_cast<int>(index.skipped.size()));
  }
  statusBar()->showMessage(summary, kStatusTimeoutMs);
  if (all.empty()) {
    return;
  }
  if (all.size() == 1 || loadFirstSeries) {
    seriesList_->setCurrentRow(0);
    loadSeries(QString::fromStdString(all.front()->id));
  }
}

void MainWindow::showImage(const QString& loadedSeriesId) {
  const Image* image = session_->image();
  if (image == nullptr) {
    return;
  }
  loadedSeriesId_ = loadedSeriesId;
  for (int row = 0; row < seriesList_->count(); ++row) {
    QListWidgetItem* item = seriesList_->item(row);
    QFont font = item->font();
    font.setBold(item->data(Qt::UserRole).toString() == loadedSeriesId_);
    item->setFont(font);
  }

  autoWindowLevel_ = autoWindowLevel(*image);
  sliceView_->setImage(image);
  slider_->setRange(0, image->geometry().dims[2] - 1);
  slider_->setValue(sliceView_->slice());
  slider_->setEnabled(true);

  // CT has standard windows in HU; other modalities have no fixed scale, so start from the data.
  const bool hounsfield = image->modality == "CT" || image->units == "HU";
  const int autoIndex = static_cast<int>(windowPresets().size()) - 1;
  const int preset = hounsfield ? 0 : autoIndex;
  if (presetBox_->currentIndex() == preset) {
    onPresetChosen(preset); // same entry: no signal, but the auto window may have changed
  } else {
    presetBox_->setCurrentIndex(preset);
  }
  updateViewInfo();

  const QString description = QString::fromStdString(image->description);
  setWindowTitle(description.isEmpty() ? tr("Beamlet") : tr("%1 - Beamlet").arg(description));
  statusBar()->showMessage(tr("Loaded %1: %2")
                               .arg(description.isEmpty() ? tr("image") : description,
                                    QString::fromStdString(image->geometry().describe())),
                           kStatusTimeoutMs);
  showWarnings(image->warnings);
  emit imageLoaded();
}

void MainWindow::onSeriesItemActivated(QListWidgetItem* item) {
  const QString id = item->data(Qt::UserRole).toString();
  // A click on the series already shown must not reload it.
  if (!isBusy() && !(id == loadedSeriesId_ && sliceView_->image() != nullptr)) {
    loadSeries(id);
  }
}

void MainWindow::onPresetChosen(int index) {
  const auto& presets = windowPresets();
  if (index < 0 || index >= static_cast<int>(presets.size())) {
    return; // "Custom": keep whatever was dragged
  }
  const WindowPreset& preset = presets[static_cast<std::size_t>(index)];
  sliceView_->setWindowLevel(preset.automatic ? autoWindowLevel_ : preset.windowLevel);
}

void MainWindow::onWindowLevelDragged() {
  const QSignalBlocker blocker(presetBox_);
  presetBox_->setCurrentIndex(presetBox_->count() - 1);
}

void MainWindow::updateViewInfo() {
  const Image* image = sliceView_->image();
  viewInfo_->setText(image != nullptr
                         ? formatViewInfo(*image, sliceView_->slice(), sliceView_->windowLevel())
                         : QString());
}

void MainWindow::updateCursorReadout(int i, int j, int k) {
  const Image* image = sliceView_->image();
  cursorLabel_->setText(image != nullptr ? formatVoxelReadout(*image, i, j, k) : QString());
}

void MainWindow::showError(const QString& message) {
  log::error(message.toStdString());
  statusBar()->showMessage(tr("Error: %1").arg(message));
  // open(), not exec(): a nested event loop here would let a second task start underneath.
  auto* box = new QMessageBox(QMessageBox::Critical, tr("Beamlet"), message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::showWarnings(const std::vector<std::string>& warnings) {
  if (warnings.empty()) {
    return;
  }
  QStringList lines;
  for (const std::string& warning : warnings) {
    lines << QString::fromStdString(warning);
  }
  statusBar()->showMessage(tr("Warning: %1").arg(lines.join(QStringLiteral("; "))));
  // Non-modal: the image is usable, the user should just know what was done to it.
  auto* box = new QMessageBox(
      QMessageBox::Warning, tr("Beamlet"),
      tr("The image was loaded with %n warning(s):", nullptr, static_cast<int>(lines.size())),
      QMessageBox::Ok, this);
  box->setInformativeText(lines.join(QStringLiteral("\n")));
  box->setWindowModality(Qt::NonModal);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->show();
}

} // namespace beamlet::gui
