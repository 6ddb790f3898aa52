// One persistent thread pool for all kernels: the calling (JS) thread plus hardware_concurrency - 1 workers.
#pragma once
#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace vk {

/**
 * Tasks are claimed from one 64-bit word (epoch | task count | next index) by compare-and-swap, so a worker can only
 * take a task of the job being run now: a worker that wakes late (or was preempted) finds nothing to do and the
 * caller, which claims tasks too, never waits for a thread that is not working on its job. The caller waits only
 * for the tasks other threads actually took.
 */
class Pool {
 public:
  using Task = void (*)(void* ctx, int index);

  explicit Pool(int threads) : size_(threads < 1 ? 1 : threads), active_threads_(size_) {
    const char* spin = std::getenv("VAEKIT_NATIVE_SPIN_US");
    if (spin) spin_us_ = std::atoi(spin);
    // Detached: the pool lives as long as the process (a static destructor joining them would hang at exit).
    for (int t = 1; t < size_; t++) std::thread([this] { loop(); }).detach();
  }

  /** Threads that take part in run(): the caller plus workers, at most the pool size. */
  int threads() const { return active_threads_.load(); }
  int size() const { return size_; }
  void set_threads(int n) { active_threads_ = n < 1 ? 1 : (n > size_ ? size_ : n); }
  long sleeps() const { return sleeps_.load(); }
  /** How many times the contention guard ran the pool caller-only (see note_wait). */
  long solo_spells() const { return solo_spells_.load(); }

  /** Runs task(ctx, i) for i in [0, n) on the pool and returns when all are done; the caller works too. */
  void run(int n, Task task, void* ctx) {
    if (n <= 0) return;
    if (n == 1 || threads() == 1 || size_ == 1 || n > 0xffff) {
      for (int i = 0; i < n; i++) task(ctx, i);
      return;
    }
    std::lock_guard<std::mutex> serial(run_lock_);  // several JS threads (worker_threads) may share the addon
    auto t0 = Clock::now();
    if (t0 < solo_until_) {
      for (int i = 0; i < n; i++) task(ctx, i);
      return;
    }
    task_ = task;
    ctx_ = ctx;
    done_.store(0, std::memory_order_relaxed);
    uint64_t e = ++epoch_;
    {
      std::lock_guard<std::mutex> lk(m_);
      state_.store(e << 32 | static_cast<uint64_t>(n) << 16, std::memory_order_release);
    }
    // A worker that was asleep takes a wake-up (tens of microseconds) to join; the caller meanwhile claims most tasks
    // itself. That is not contention, so such runs are left out of the guard's strikes (a real stall still counts).
    bool woke = sleeping_.load();
    if (woke) cv_.notify_all();
    int mine = claim_all(e);
    auto t1 = Clock::now();
    // Wait for the tasks that workers took; yield now and then in case one shares this CPU.
    int spins = 0;
    while (done_.load(std::memory_order_acquire) != n - mine)
      if (++spins % 1024 == 0) sched_yield(); else pause();
    auto t2 = Clock::now();
    note_wait(n, mine, t2, t1 - t0, t2 - t1, woke);
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::microseconds kSlowMin{300};

  /**
   * Contention guard: on a shared or oversubscribed host a worker may lose its CPU for a whole scheduler slice
   * (milliseconds) while holding a task, and the caller then waits far longer than the job would take it alone.
   * Each stall, and each run no faster than the caller-alone estimate (its own time per task times the task count;
   * a run that had to wake a sleeping worker counts only if it stalls), is a strike; good runs pay strikes back.
   * Three strikes switch the pool to caller-only for a spell: 50 ms, doubling (to 800 ms) while contention persists
   * right after each spell. A single stall is often the host's noise rather than contention, so it is not enough.
   * A run the caller alone would finish in under kSlowMin is no strike for being slow (only for a stall): a late
   * worker there costs microseconds, while a spell costs 50 ms or more of one thread. The IWAE step's mid-sized
   * products (100-300 us) set off 5-17 spells a run on this VM without it (2,146 against 2,253 examples/s, the
   * medians of 6 interleaved runs each).
   */
  void note_wait(int n, int mine, Clock::time_point end, Clock::duration own, Clock::duration waited, bool woke) {
    if (mine == 0) return;
    auto alone = own / mine * n;
    bool stall = waited > std::chrono::milliseconds(1) && waited > alone;
    bool slow = !woke && alone >= kSlowMin && (own + waited) * 10 >= alone * 9;
    if (stall || slow) {
      if (++strikes_ >= 3) {
        strikes_ = 0;
        bool persisting = end - solo_until_ < std::chrono::milliseconds(100);
        solo_ms_ = persisting ? std::min(solo_ms_ * 2, 800) : 50;
        solo_until_ = end + std::chrono::milliseconds(solo_ms_);
        solo_spells_.fetch_add(1, std::memory_order_relaxed);
      }
    } else if (strikes_ > 0) {
      strikes_--;
    }
  }

  static inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  /** Claims and runs tasks of epoch e until none is left; returns how many this thread ran. */
  int claim_all(uint64_t e) {
    int ran = 0;
    uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (s >> 32 != e) break;
      uint64_t n = (s >> 16) & 0xffff, i = s & 0xffff;
      if (i >= n) break;
      if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      task_(ctx_, static_cast<int>(i));
      ran++;
      s = state_.load(std::memory_order_acquire);
    }
    return ran;
  }

  void loop() {
    uint64_t seen = 0;
    for (;;) {
      // Spin for a short while: kernels of one training step come every few microseconds, and a futex wake-up
      // would cost more than most of them. After spin_us_ of silence the worker sleeps. 2 ms covers the JS work
      // between the GEMMs of a forward pass at batch 1000 (drawing the noise takes ~0.5 ms); at 300 us the worker
      // slept there and joined each product late (mean 11.6 -> 10.3 ms per forward batch).
      auto start = std::chrono::steady_clock::now();
      int spins = 0;
      uint64_t e;
      while ((e = state_.load(std::memory_order_acquire) >> 32) == seen) {
        pause();
        if (++spins % 128 == 0 && std::chrono::steady_clock::now() - start > std::chrono::microseconds(spin_us_)) {
          std::unique_lock<std::mutex> lk(m_);
          sleeping_.fetch_add(1);
          sleeps_.fetch_add(1, std::memory_order_relaxed);
          cv_.wait(lk, [&] { return (state_.load() >> 32) != seen; });
          sleeping_.fetch_sub(1);
        }
      }
      seen = e;
      int ran = claim_all(e);
      if (ran) done_.fetch_add(ran, std::memory_order_release);
    }
  }

  const int size_;
  std::atomic<int> active_threads_;
  int spin_us_ = 2000;
  std::mutex run_lock_, m_;
  std::condition_variable cv_;
  uint64_t epoch_ = 0;  // written by run() under run_lock_ only
  alignas(64) std::atomic<uint64_t> state_{0};
  alignas(64) std::atomic<int> done_{0};
  alignas(64) std::atomic<int> sleeping_{0};
  std::atomic<long> sleeps_{0}, solo_spells_{0};
  int strikes_ = 0;                // guarded by run_lock_
  int solo_ms_ = 50;               // guarded by run_lock_
  Clock::time_point solo_until_{};  // guarded by run_lock_
  Task task_ = nullptr;
  void* ctx_ = nullptr;
};

}  // namespace vk
