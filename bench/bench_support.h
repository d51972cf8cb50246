// What the HTTP benchmarks share: a keep-alive client, timing, percentiles, interleaved
// pairs of calls, throughput with concurrent callers, and a process's CPU time.
#pragma once

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dialogue::bench {

using Clock = std::chrono::steady_clock;

inline std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) {
    std::fprintf(stderr, "%s is not set; run it through bench/run\n", name);
    std::exit(2);
  }
  return v;
}

inline size_t Sink(char*, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(size * n, ' ');
  return size * n;
}

// One keep-alive HTTP connection.
class HttpClient {
 public:
  // `header` ("Name: value"), when given, goes with every request too.
  explicit HttpClient(const std::string& token, const std::string& header = "")
      : curl_(curl_easy_init()) {
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + token).c_str());
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    if (!header.empty()) headers_ = curl_slist_append(headers_, header.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Sink);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
    curl_easy_setopt(curl_, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
  }
  ~HttpClient() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  bool Get(const std::string& url) { return Do("GET", url, ""); }
  bool Post(const std::string& url, const std::string& body) { return Do("POST", url, body); }

 private:
  bool Do(const char* method, const std::string& url, const std::string& body) {
    body_.clear();
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method);
    if (*method == 'P') {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    }
    long status = 0;
    if (curl_easy_perform(curl_) != CURLE_OK) return false;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status == 200;
  }
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  std::string body_;
};

struct Percentiles {
  double p50, p99;
};

inline Percentiles Of(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

inline double Time(const char* what, const std::function<bool()>& call) {
  auto t0 = Clock::now();
  if (!call()) {
    std::fprintf(stderr, "%s: a call failed\n", what);
    std::exit(1);
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

// The same call two ways, interleaved (a first on even rounds, b first on odd ones), so
// that both see the same machine.
struct Pair {
  Percentiles a, b;
};
inline Pair MeasurePair(const char* what, int n, const std::function<bool()>& a,
                        const std::function<bool()>& b) {
  for (int i = 0; i < n / 10; ++i) Time(what, a), Time(what, b);  // warm up
  std::vector<double> ta, tb;
  for (int i = 0; i < n; ++i) {
    if (i % 2 == 0) {
      ta.push_back(Time(what, a));
      tb.push_back(Time(what, b));
    } else {
      tb.push_back(Time(what, b));
      ta.push_back(Time(what, a));
    }
  }
  return {Of(ta), Of(tb)};
}

// Calls per second with `workers` concurrent callers for `seconds`.
inline double Throughput(int workers, double seconds,
                         const std::function<std::function<bool()>()>& make) {
  std::atomic<long> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      auto call = make();
      while (!stop) {
        if (call()) ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return done / seconds;
}

// CPU time (user + system) a process has used, in microseconds; 0 without a pid.
inline double CpuMicros(const char* pid_variable) {
  const char* pid = std::getenv(pid_variable);
  if (pid == nullptr) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces): state is field 3, utime 14.
  std::vector<std::string> fields = absl::StrSplit(stat.substr(stat.rfind(')') + 2), ' ');
  if (fields.size() < 13) return 0;
  return (std::stod(fields[11]) + std::stod(fields[12])) * 1e6 /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace dialogue::bench
