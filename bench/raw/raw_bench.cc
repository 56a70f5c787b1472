// The baseline: the same BITS calls as bench/bench.mjs makes through the
// package, straight from C++ on one MTA thread, timed per call. Prints one JSON
// object of nanoseconds per call. Usage: raw_bench <iterations> <local file dir>
#include <windows.h>
#include <bits.h>
#include <bits3_0.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

double NsPerCall(int n, const std::chrono::steady_clock::time_point& start) {
  auto elapsed = std::chrono::steady_clock::now() - start;
  return std::chrono::duration<double, std::nano>(elapsed).count() / n;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  int n = argc > 1 ? _wtoi(argv[1]) : 2000;
  std::wstring dir = argc > 2 ? argv[2] : L"C:\\windows\\temp";
  if (FAILED(CoInitializeEx(nullptr, COINIT_MULTITHREADED))) return 2;
  IBackgroundCopyManager* manager = nullptr;
  if (FAILED(CoCreateInstance(__uuidof(BackgroundCopyManager), nullptr, CLSCTX_LOCAL_SERVER,
                              __uuidof(IBackgroundCopyManager), reinterpret_cast<void**>(&manager)))) {
    return 3;
  }
  GUID id;
  IBackgroundCopyJob* job = nullptr;
  manager->CreateJob(L"raw bench", BG_JOB_TYPE_DOWNLOAD, &id, &job);

  auto t = std::chrono::steady_clock::now();
  for (int i = 0; i < n; i++) {
    BG_JOB_STATE s;
    job->GetState(&s);
  }
  double getState = NsPerCall(n, t);

  // The same GetState calls from 4 MTA threads at once: what a pool of COM
  // threads could reach, against the one COM thread the package uses.
  t = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; k++) {
    threads.emplace_back([job, n] {
      CoInitializeEx(nullptr, COINIT_MULTITHREADED);
      for (int i = 0; i < n / 4; i++) {
        BG_JOB_STATE s;
        job->GetState(&s);
      }
      CoUninitialize();
    });
  }
  for (auto& th : threads) th.join();
  double getState4Threads = NsPerCall(n, t);

  t = std::chrono::steady_clock::now();
  for (int i = 0; i < n; i++) {
    BG_JOB_PROGRESS p;
    job->GetProgress(&p);
  }
  double getProgress = NsPerCall(n, t);

  t = std::chrono::steady_clock::now();
  for (int i = 0; i < n; i++) {
    IBackgroundCopyJob4* job4 = nullptr;
    if (SUCCEEDED(job->QueryInterface(__uuidof(IBackgroundCopyJob4), reinterpret_cast<void**>(&job4)))) job4->Release();
  }
  double queryJob4 = NsPerCall(n, t);

  // AddFile: a fresh job every 100 files (BITS allows 200 per job).
  int files = n / 4;
  IBackgroundCopyJob* fileJob = nullptr;
  double addFileTotal = 0;
  for (int i = 0; i < files; i++) {
    if (i % 100 == 0) {
      if (fileJob) {
        fileJob->Cancel();
        fileJob->Release();
      }
      manager->CreateJob(L"raw bench files", BG_JOB_TYPE_DOWNLOAD, &id, &fileJob);
    }
    std::wstring local = dir + L"\\raw-" + std::to_wstring(i) + L".bin";
    auto s = std::chrono::steady_clock::now();
    fileJob->AddFile(L"http://127.0.0.1:9/x.bin", local.c_str());
    addFileTotal += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - s).count();
  }
  if (fileJob) {
    fileJob->Cancel();
    fileJob->Release();
  }

  t = std::chrono::steady_clock::now();
  for (int i = 0; i < files; i++) {
    IBackgroundCopyJob* j = nullptr;
    if (SUCCEEDED(manager->CreateJob(L"raw bench create", BG_JOB_TYPE_DOWNLOAD, &id, &j))) {
      j->Cancel();
      j->Release();
    }
  }
  double createCancel = NsPerCall(files, t);

  job->Cancel();
  job->Release();
  manager->Release();
  CoUninitialize();
  std::printf(
      "{\"getState\":%.0f,\"getProgress\":%.0f,\"queryJob4\":%.0f,\"addFile\":%.0f,\"createJobCancel\":%.0f,"
      "\"getState4Threads\":%.0f,\"iterations\":%d}\n",
      getState, getProgress, queryJob4, addFileTotal / files, createCancel, getState4Threads, n);
  return 0;
}
