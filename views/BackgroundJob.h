#pragma once
#include <QObject>
#include <QString>
#include <QThread>
#include <exception>
#include <functional>
#include <memory>
#include <utility>

namespace ternlab::views {

// Runs one slow computation (a model rebuilt from a checkpoint, a benchmark) on its own thread and hands its
// result, or the text of what it threw, to a callback on the owner's (GUI) thread, so that no view freezes the
// window. One job at a time: start() first waits for the previous one; a result that arrives after a newer
// start() is dropped. The destructor waits for a running job.
template <class T>
class BackgroundJob {
 public:
  using Done = std::function<void(T&& result, const QString& error)>;

  BackgroundJob(QObject* owner, QString threadName) : owner_(owner), name_(std::move(threadName)) {}
  ~BackgroundJob() { wait(); }
  BackgroundJob(const BackgroundJob&) = delete;
  BackgroundJob& operator=(const BackgroundJob&) = delete;

  bool running() const { return thread_ != nullptr; }
  void wait() {
    if (thread_) thread_->wait();
  }

  void start(std::function<T()> work, Done done) {
    wait();
    auto result = std::make_shared<T>();
    auto error = std::make_shared<QString>();
    QThread* t = QThread::create([work = std::move(work), result, error] {
      try {
        *result = work();
      } catch (const std::exception& e) {
        *error = QString::fromStdString(e.what());
      }
    });
    t->setObjectName(name_);
    thread_ = t;
    QObject::connect(t, &QThread::finished, owner_, [this, t, result, error, done = std::move(done)] {
      t->deleteLater();
      if (t != thread_) return;  // superseded by a later start()
      thread_ = nullptr;
      done(std::move(*result), *error);
    });
    t->start();
  }

 private:
  QObject* owner_;
  QString name_;
  QThread* thread_ = nullptr;
};

}  // namespace ternlab::views
