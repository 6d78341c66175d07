#pragma once
// The axial slice viewer: draws one slice of an image scaled to fit with the physical aspect ratio,
// and turns mouse and keys into slice steps, window/level changes and cursor positions.

#include "WindowLevel.h"

#include <QImage>
#include <QPoint>
#include <QRectF>
#include <QWidget>

#include <array>
#include <optional>

namespace beamlet {
class Image;
}

namespace beamlet::gui {

class SliceView : public QWidget {
  Q_OBJECT

public:
  explicit SliceView(QWidget* parent = nullptr);

  /// Shows an image (not owned; nullptr shows nothing). The caller keeps it alive and unchanged
  /// until the next setImage. Resets the slice to the middle one.
  void setImage(const Image* image);
  const Image* image() const { return image_; }

  int slice() const { return slice_; }
  const WindowLevel& windowLevel() const { return windowLevel_; }
  /// The current slice as drawn (before scaling to the widget); null when there is no image.
  const QImage& renderedSlice() const { return rendered_; }

  /// Where the image is drawn in widget coordinates (empty when there is no image).
  QRectF imageRect() const;
  /// The voxel (i, j, slice()) under a widget position, if any.
  std::optional<std::array<int, 3>> voxelAt(const QPointF& pos) const;
  /// The widget position of the centre of voxel (i, j) of the current slice.
  QPointF widgetPosition(int i, int j) const;

  QSize sizeHint() const override { return {640, 512}; }

public slots:
  void setSlice(int k);
  void setWindowLevel(const beamlet::gui::WindowLevel& windowLevel);

signals:
  void sliceChanged(int k);
  /// Emitted for every change, whether from a preset or from dragging.
  void windowLevelChanged(const beamlet::gui::WindowLevel& windowLevel);
  /// Emitted only when the user drags the window/level with the mouse (the preset no longer holds).
  void windowLevelDragged();
  void cursorMoved(int i, int j, int k);
  void cursorLeft();

protected:
  void paintEvent(QPaintEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

private:
  void render();
  void reportCursor(const QPointF& pos);

  const Image* image_ = nullptr;
  int slice_ = 0;
  WindowLevel windowLevel_;
  QImage rendered_;

  bool dragging_ = false;
  QPointF dragStart_;
  WindowLevel dragStartWindowLevel_;
  int wheelRemainder_ = 0;
  std::optional<QPointF> cursor_; ///< last mouse position over the widget, for re-reporting
};

} // namespace beamlet::gui
