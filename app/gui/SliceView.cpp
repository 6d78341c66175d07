#include "SliceView.h"

#include "SliceRenderer.h"

#include "beamlet/core/Image.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace beamlet::gui {

namespace {
// One notch of a standard mouse wheel (QWheelEvent::angleDelta is in eighths of a degree).
constexpr int kWheelNotch = 120;
} // namespace

SliceView::SliceView(QWidget* parent) : QWidget(parent) {
  // Tracking is needed for the cursor readout without a button pressed; strong focus so that
  // PageUp/PageDown reach the view after a click.
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setAutoFillBackground(true);
  QPalette p = palette();
  p.setColor(QPalette::Window, Qt::black);
  setPalette(p);
  setMinimumSize(200, 160);
}

void SliceView::setImage(const Image* image) {
  image_ = image;
  dragging_ = false;
  slice_ = image_ != nullptr ? image_->geometry().dims[2] / 2 : 0;
  render();
  emit sliceChanged(slice_);
  if (cursor_) {
    reportCursor(*cursor_);
  }
}

void SliceView::setSlice(int k) {
  if (image_ == nullptr) {
    return;
  }
  k = std::clamp(k, 0, image_->geometry().dims[2] - 1);
  if (k == slice_) {
    return;
  }
  slice_ = k;
  render();
  emit sliceChanged(slice_);
  // The voxel under a still mouse changed with the slice, so the readout must follow.
  if (cursor_) {
    reportCursor(*cursor_);
  }
}

void SliceView::setWindowLevel(const WindowLevel& windowLevel) {
  WindowLevel wl = windowLevel;
  wl.width = std::max(wl.width, 1.0);
  if (wl == windowLevel_) {
    return;
  }
  windowLevel_ = wl;
  render();
  emit windowLevelChanged(windowLevel_);
}

void SliceView::render() {
  rendered_ = image_ != nullptr ? renderAxialSlice(*image_, slice_, windowLevel_) : QImage();
  update();
}

QRectF SliceView::imageRect() const {
  if (image_ == nullptr || rendered_.isNull()) {
    return {};
  }
  const ImageGeometry& g = image_->geometry();
  // Fit the physical size (mm), not the voxel count: 0.7 x 3 mm voxels must not look square.
  const double widthMm = g.dims[0] * g.spacing[0];
  const double heightMm = g.dims[1] * g.spacing[1];
  if (widthMm <= 0 || heightMm <= 0) {
    return {};
  }
  const double scale = std::min(width() / widthMm, height() / heightMm);
  const QSizeF size(widthMm * scale, heightMm * scale);
  return {QPointF((width() - size.width()) / 2.0, (height() - size.height()) / 2.0), size};
}

std::optional<std::array<int, 3>> SliceView::voxelAt(const QPointF& pos) const {
  const QRectF r = imageRect();
  if (r.isEmpty()) {
    return std::nullopt;
  }
  const Index3& dims = image_->geometry().dims;
  const int i = static_cast<int>(std::floor((pos.x() - r.left()) / r.width() * dims[0]));
  const int j = static_cast<int>(std::floor((pos.y() - r.top()) / r.height() * dims[1]));
  if (i < 0 || j < 0 || i >= dims[0] || j >= dims[1]) {
    return std::nullopt;
  }
  return std::array<int, 3>{i, j, slice_};
}

QPointF SliceView::widgetPosition(int i, int j) const {
  const QRectF r = imageRect();
  if (r.isEmpty()) {
    return {};
  }
  const Index3& dims = image_->geometry().dims;
  return {r.left() + (i + 0.5) * r.width() / dims[0], r.top() + (j + 0.5) * r.height() / dims[1]};
}

void SliceView::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  const QRectF r = imageRect();
  if (r.isEmpty()) {
    painter.setPen(Qt::gray);
    painter.drawText(rect(), Qt::AlignCenter, tr("No image loaded"));
    return;
  }
  // Nearest-neighbour scaling on purpose: interpolation would invent values between voxels.
  painter.drawImage(r, rendered_);
}

void SliceView::wheelEvent(QWheelEvent* event) {
  if (image_ == nullptr) {
    event->ignore();
    return;
  }
  // Accumulate so that high-resolution touchpads (small deltas) still step one slice per notch.
  wheelRemainder_ += event->angleDelta().y();
  const int steps = wheelRemainder_ / kWheelNotch;
  wheelRemainder_ -= steps * kWheelNotch;
  if (steps != 0) {
    setSlice(slice_ + steps);
  }
  event->accept();
}

void SliceView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
  case Qt::Key_PageUp:
  case Qt::Key_Up:
    setSlice(slice_ + 1);
    break;
  case Qt::Key_PageDown:
  case Qt::Key_Down:
    setSlice(slice_ - 1);
    break;
  case Qt::Key_Home:
    setSlice(0);
    break;
  case Qt::Key_End:
    setSlice(image_ != nullptr ? image_->geometry().dims[2] - 1 : 0);
    break;
  default:
    QWidget::keyPressEvent(event);
    return;
  }
  event->accept();
}

void SliceView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::RightButton && image_ != nullptr) {
    // Tracked here rather than through event->buttons() so a drag survives synthetic events that
    // do not carry the button state.
    dragging_ = true;
    dragStart_ = event->position();
    dragStartWindowLevel_ = windowLevel_;
    event->accept();
    return;
  }
  QWidget::mousePressEvent(event);
}

void SliceView::mouseMoveEvent(QMouseEvent* event) {
  if (dragging_) {
    const QPointF delta = event->position() - dragStart_;
    // Scale the sensitivity with the window at drag start so that both a brain window (80) and a
    // full-range window (4000) can be adjusted finely and quickly: the full widget width changes
    // the width by about 4x the starting value.
    const double perPixel =
        std::max(dragStartWindowLevel_.width, 10.0) * 4.0 / std::max(width(), 1);
    WindowLevel wl = dragStartWindowLevel_;
    wl.width = std::max(1.0, dragStartWindowLevel_.width + delta.x() * perPixel);
    wl.level = dragStartWindowLevel_.level + delta.y() * perPixel;
    if (wl != windowLevel_) {
      setWindowLevel(wl);
      emit windowLevelDragged();
    }
  }
  cursor_ = event->position();
  reportCursor(*cursor_);
  QWidget::mouseMoveEvent(event);
}

void SliceView::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() == Qt::RightButton && dragging_) {
    dragging_ = false;
    event->accept();
    return;
  }
  QWidget::mouseReleaseEvent(event);
}

void SliceView::leaveEvent(QEvent* event) {
  cursor_.reset();
  emit cursorLeft();
  QWidget::leaveEvent(event);
}

void SliceView::reportCursor(const QPointF& pos) {
  if (const auto voxel = voxelAt(pos)) {
    emit cursorMoved((*voxel)[0], (*voxel)[1], (*voxel)[2]);
  } else {
    emit cursorLeft();
  }
}

} // namespace beamlet::gui
