// One thread that runs submitted tasks in order, with a bounded queue. The admin endpoint hands it
// work that may block (an injected record runs a handler, which may call a database), so that its
// one server thread never waits on it: that thread also answers the probes.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace streamhost::host::admin {

class SerialExecutor {
 public:
  explicit SerialExecutor(size_t max_queued) : max_queued_(max_queued) {
    thread_ = std::thread([this] { run(); });
  }
  ~SerialExecutor() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  // False when the queue is full or the executor is stopping: the caller answers "busy".
  bool submit(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= max_queued_) return false;
      queue_.push_back(std::move(task));
    }
    wake_.notify_one();
    return true;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Queued tasks still run on stop: each owes an HTTP answer.
      if (queue_.empty()) return;
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace streamhost::host::admin
