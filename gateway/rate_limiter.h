// Token buckets keyed by client address (public routes) or tenant (staff routes).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dialogue::gateway {

class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}

  // True when `key` may make one more request now.
  bool Allow(const std::string& key) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    if (buckets_.size() > 100000) buckets_.clear();  // bounded memory under address floods
    auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
      double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
      b.last = now;
    }
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_;
  double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace dialogue::gateway
