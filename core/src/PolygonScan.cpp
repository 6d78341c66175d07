#include "beamlet/core/PolygonScan.h"

#include <algorithm>

namespace beamlet {

void scanlineCrossings(const std::vector<Polygon2>& polygons, double y, std::vector<double>& xs) {
  xs.clear();
  for (const Polygon2& polygon : polygons) {
    const std::size_t n = polygon.size();
    for (std::size_t a = 0, b = n - 1; a < n; b = a++) {
      const Eigen::Vector2d& p = polygon[a];
      const Eigen::Vector2d& q = polygon[b];
      if ((p.y() <= y) != (q.y() <= y)) {
        xs.push_back(p.x() + (y - p.y()) * (q.x() - p.x()) / (q.y() - p.y()));
      }
    }
  }
  std::sort(xs.begin(), xs.end());
}

double signedArea(const Polygon2& polygon) {
  double twice = 0.0;
  const std::size_t n = polygon.size();
  for (std::size_t a = 0, b = n - 1; a < n; b = a++) {
    twice += polygon[b].x() * polygon[a].y() - polygon[a].x() * polygon[b].y();
  }
  return 0.5 * twice;
}

} // namespace beamlet
