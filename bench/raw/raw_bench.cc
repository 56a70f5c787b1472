// The baseline: the same BITS calls as bench/bench.mjs makes through the
// package, straight from C++ on an MTA thread of its own, timed per call. A
// bench-only addon (CMake target raw_bench, never shipped) so that the raw loop
// and the package run in one process, in alternating rounds, against the same
// BITS service: the ratio then measures the package, not the machine's drift.
//
// open(), then run(op, n, dir) as often as needed, then close(). run() blocks
// the JS thread while the loop runs: here that is the point, nothing else may
// run beside the loop being timed.
#include <napi.h>
#include <windows.h>
#include <bits.h>
#include <bits3_0.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Ns(Clock::duration d) { return std::chrono::duration<double, std::nano>(d).count(); }

struct Session {
  IBackgroundCopyManager* manager = nullptr;
  IBackgroundCopyJob* job = nullptr;
};

// The time of each of n calls of `op`, in ns; empty for an unknown op or a
// failed setup. Only the calls are timed. Each call's own time, not the loop's,
// so that the benchmark can take medians: this machine's stalls come in bursts
// that a mean spreads over every call.
std::vector<double> RunOn(const std::string& op, int n, const std::wstring& dir, Session& s) {
  GUID id;
  std::vector<double> samples;
  samples.reserve(n);
  auto timed = [&samples](auto&& call) {
    auto t = Clock::now();
    call();
    samples.push_back(Ns(Clock::now() - t));
  };
  if (op == "getState") {
    for (int i = 0; i < n; i++)
      timed([&] {
        BG_JOB_STATE st;
        s.job->GetState(&st);
      });
  } else if (op == "getProgress") {
    for (int i = 0; i < n; i++)
      timed([&] {
        BG_JOB_PROGRESS p;
        s.job->GetProgress(&p);
      });
  } else if (op == "queryJob4") {
    // The first QueryInterface asks BITS; later ones are answered by the proxy,
    // as the package answers them from its cache: time the later ones.
    auto query = [&] {
      IBackgroundCopyJob4* job4 = nullptr;
      if (SUCCEEDED(s.job->QueryInterface(__uuidof(IBackgroundCopyJob4), reinterpret_cast<void**>(&job4)))) {
        job4->Release();
      }
    };
    query();
    for (int i = 0; i < n; i++) timed(query);
  } else if (op == "getState4Threads") {
    // What a pool of COM threads could reach: the same calls from 4 MTA threads.
    // One sample: the mean time per call over the whole run.
    auto t = Clock::now();
    std::vector<std::thread> threads;
    IBackgroundCopyJob* job = s.job;
    for (int k = 0; k < 4; k++) {
      threads.emplace_back([job, n] {
        CoInitializeEx(nullptr, COINIT_MULTITHREADED);
        for (int i = 0; i < n / 4; i++) {
          BG_JOB_STATE st;
          job->GetState(&st);
        }
        CoUninitialize();
      });
    }
    for (auto& th : threads) th.join();
    samples.push_back(Ns(Clock::now() - t) / n);
  } else if (op == "addFile") {
    // One fresh job per round, as the package side does (BITS allows 200 files).
    IBackgroundCopyJob* fileJob = nullptr;
    if (FAILED(s.manager->CreateJob(L"raw bench files", BG_JOB_TYPE_DOWNLOAD, &id, &fileJob))) return {};
    for (int i = 0; i < n; i++) {
      std::wstring local = dir + L"\\raw-" + std::to_wstring(i) + L".bin";
      timed([&] { fileJob->AddFile(L"http://127.0.0.1:9/x.bin", local.c_str()); });
    }
    fileJob->Cancel();
    fileJob->Release();
  } else if (op == "createJobCancel") {
    for (int i = 0; i < n; i++)
      timed([&] {
        IBackgroundCopyJob* j = nullptr;
        if (SUCCEEDED(s.manager->CreateJob(L"raw bench create", BG_JOB_TYPE_DOWNLOAD, &id, &j))) {
          j->Cancel();
          j->Release();
        }
      });
  }
  return samples;
}

// One MTA thread that lives from open() to close() and holds the manager and
// the job, as the package's COM threads hold theirs: no round pays for a
// connection, a job's creation or a cancelled job's cleanup in the service.
class Worker {
 public:
  void Start() {
    thread_ = std::thread([this] {
      HRESULT init = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
      std::unique_lock<std::mutex> lock(mutex_);
      for (;;) {
        ready_.wait(lock, [this] { return task_ || quit_; });
        if (!task_) break;
        lock.unlock();
        task_();
        lock.lock();
        task_ = nullptr;
        ready_.notify_all();
      }
      if (SUCCEEDED(init)) CoUninitialize();
    });
  }
  void Do(std::function<void()> fn) {
    std::unique_lock<std::mutex> lock(mutex_);
    task_ = std::move(fn);
    ready_.notify_all();
    ready_.wait(lock, [this] { return !task_; });
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> g(mutex_);
      quit_ = true;
    }
    ready_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::function<void()> task_;
  bool quit_ = false;
};

Worker worker;
Session session;

void ThrowIfFailed(Napi::Env env, HRESULT hr, const char* what) {
  if (SUCCEEDED(hr)) return;
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(hr));
  throw Napi::Error::New(env, std::string("raw bench: ") + what + " failed: " + hex);
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  worker.Start();
  HRESULT hr = S_OK;
  worker.Do([&] {
    GUID id;
    hr = CoCreateInstance(__uuidof(BackgroundCopyManager), nullptr, CLSCTX_LOCAL_SERVER,
                          __uuidof(IBackgroundCopyManager), reinterpret_cast<void**>(&session.manager));
    if (SUCCEEDED(hr)) hr = session.manager->CreateJob(L"raw bench", BG_JOB_TYPE_DOWNLOAD, &id, &session.job);
  });
  ThrowIfFailed(info.Env(), hr, "CoCreateInstance or CreateJob");
  return info.Env().Undefined();
}

Napi::Value Run(const Napi::CallbackInfo& info) {
  std::string op = info[0].As<Napi::String>();
  int n = info[1].As<Napi::Number>().Int32Value();
  std::u16string dir16 = info[2].As<Napi::String>().Utf16Value();
  std::wstring dir(dir16.begin(), dir16.end());
  if (!session.job) throw Napi::Error::New(info.Env(), "raw bench: open() first");
  std::vector<double> samples;
  worker.Do([&] { samples = RunOn(op, n, dir, session); });
  if (samples.empty()) throw Napi::Error::New(info.Env(), "raw bench: unknown op or failed setup: " + op);
  Napi::Float64Array out = Napi::Float64Array::New(info.Env(), samples.size());
  std::copy(samples.begin(), samples.end(), out.Data());
  return out;
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  worker.Do([] {
    if (session.job) {
      session.job->Cancel();
      session.job->Release();
    }
    if (session.manager) session.manager->Release();
    session = Session();
  });
  worker.Stop();
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("open", Napi::Function::New(env, Open));
  exports.Set("run", Napi::Function::New(env, Run));
  exports.Set("close", Napi::Function::New(env, Close));
  return exports;
}

}  // namespace

NODE_API_MODULE(raw_bench, Init)
