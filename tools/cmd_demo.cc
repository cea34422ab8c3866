// labstore demo — the main job.
//
// Runs machinable's example as a simulation: `estimate_gravity` over a sweep of
// time_dilation values. Each experiment drops a ball many times with noisy
// timing, logs every drop in scope "default" and a running summary in
// "validation", marks started/finished, and saves data files (.txt, .json,
// .npy). A second pass shows Get(module, config) finding the stored
// experiments instead of recomputing them. Finally the store is exported to
// machinable's layout (with the records as SQL tables in storage.sqlite).
//
// Each experiment runs inside a labstore::Run (started, a heartbeat, finished
// on success). An experiment that is stored but not finished (the demo was
// killed or crashed) is run again: its records are cleared (ClearRecords) and
// it is simulated anew, so that a second run completes the sweep with the
// same results as an uninterrupted one.
//
// Test hook, not in --help: with LABSTORE_DEMO_KILL_AFTER=N in the environment
// the demo kills itself (SIGKILL, as `kill -9` does) halfway through the
// (N+1)-th experiment it simulates, after storing some of its rows.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "format.h"
#include "labstore/data.h"
#include "labstore/export.h"
#include "labstore/npy.h"
#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "labstore/run.h"
#include "progress.h"

namespace labstore::tool {
namespace {

struct DemoArgs {
  uint64_t rows = 400000;   // "default" rows per experiment
  int experiments = 8;
  std::string export_dir = "./storage";
};

constexpr double kHeight = 52.0;  // metres, as in machinable's example

std::string ConfigFor(double dilation) {
  return fmt::format(R"({{"time_dilation": {:.1f}, "verbose": true}})", dilation);
}

std::string HostInfo() {
  char host[256] = "unknown";
  ::gethostname(host, sizeof host - 1);
  const char* user = std::getenv("USER");
  return fmt::format(
      R"({{"network_name": {0}, "hostname": {0}, "machine": "x86_64", "user": {1}, "argv": ["labstore", "demo"]}})",
      JsonString(host), JsonString(user ? user : "unknown"));
}

struct Simulated {
  double g_mean = 0;
  double g_std = 0;
  std::vector<double> samples;  // every 100th estimate, for samples.npy
};

// LABSTORE_DEMO_KILL_AFTER, or -1 when unset.
int KillAfter() {
  const char* v = std::getenv("LABSTORE_DEMO_KILL_AFTER");
  return v && *v ? std::atoi(v) : -1;
}

// Drops the ball `rows` times; logs each drop in `drops` and a summary every
// 1000 drops in `summary`. Reports progress through `on_rows`. With `kill`,
// stores the first half of the drops and kills the process (the test hook).
Simulated Simulate(double dilation, uint64_t rows, RecordWriter& drops, RecordWriter& summary,
                   const std::function<void(uint64_t)>& on_rows, bool kill) {
  std::mt19937_64 rng(static_cast<uint64_t>(dilation * 1000));
  std::normal_distribution<double> noise(0.0, 0.01);
  ColumnId c_iter = Check(drops.Column("iteration")), c_time = Check(drops.Column("time"));
  ColumnId c_g = Check(drops.Column("g")), c_loss = Check(drops.Column("loss"));
  ColumnId c_acc = Check(drops.Column("accuracy")), c_lr = Check(drops.Column("lr"));
  ColumnId c_phase = Check(drops.Column("phase"));
  ColumnId v_iter = Check(summary.Column("iteration")), v_mean = Check(summary.Column("g_mean"));
  ColumnId v_std = Check(summary.Column("g_std")), v_err = Check(summary.Column("relative_error"));
  double g_true = 2 * kHeight / std::pow(0.3 * dilation, 2);
  Simulated out;
  double sum = 0, sum_sq = 0;
  for (uint64_t i = 0; i < rows; ++i) {
    double t = 0.3 * dilation * (1.0 + noise(rng));
    double g = 2 * kHeight / (t * t);
    sum += g;
    sum_sq += g * g;
    double n = static_cast<double>(i + 1);
    double mean = sum / n;
    double err = std::abs(mean - g_true) / g_true;
    drops.Set(c_iter, static_cast<int64_t>(i));
    drops.Set(c_time, t);
    drops.Set(c_g, g);
    drops.Set(c_loss, (g - g_true) * (g - g_true));
    drops.Set(c_acc, 1.0 - err);
    drops.Set(c_lr, 0.1 / std::sqrt(n));
    drops.Set(c_phase, i % 10 == 9 ? "eval" : "train");
    Check(drops.Save());
    if (i % 100 == 0) out.samples.push_back(g);
    if (i % 1000 == 999) {
      summary.Set(v_iter, static_cast<int64_t>(i));
      summary.Set(v_mean, mean);
      summary.Set(v_std, std::sqrt(std::max(0.0, sum_sq / n - mean * mean)));
      summary.Set(v_err, err);
      Check(summary.Save());
    }
    if ((i & 0x3fff) == 0) on_rows(i);
    if (kill && i == rows / 2) {
      Check(drops.Flush());
      Check(summary.Flush());
      ::raise(SIGKILL);
    }
  }
  double n = static_cast<double>(std::max<uint64_t>(rows, 1));
  out.g_mean = sum / n;
  out.g_std = std::sqrt(std::max(0.0, sum_sq / n - out.g_mean * out.g_mean));
  return out;
}

// Stores a new experiment, or clears the records of one a killed run left
// unfinished, so that it can be simulated from the start.
void PrepareRun(Store& store, Experiment& e) {
  if (!e.stored) return Check(store.Commit(e));
  for (const ScopeInfo& scope : Check(ListScopes(store, e.id))) Check(ClearRecords(store, e.id, scope.name));
}

void RunExperiment(Store& store, Experiment& e, double dilation, uint64_t rows, Progress& progress, uint64_t base,
                   bool kill) {
  Execution x = Check(store.CreateExecution({.members = {e.id}, .host_info = HostInfo()}));
  Check(store.SetExecutionEnv(x.number, e.id, HostInfo()));
  Run run = Check(Run::Start(store, e.id));  // started, and a heartbeat every 15 s
  RecordWriter drops = Check(RecordWriter::Open(store, e.id, "default"));
  RecordWriter summary = Check(RecordWriter::Open(store, e.id, "validation"));
  Simulated sim = Simulate(dilation, rows, drops, summary, [&](uint64_t done) { progress.Update(base + done); }, kill);
  Check(drops.Close());
  Check(summary.Close());
  Check(store.AppendOutput(e.id, fmt::format("The gravity on the exoplanet is: {}\n", sim.g_mean)));
  Check(SaveData(store, e.id, "summary.txt",
                 DataValue::Bytes(fmt::format("g = {} +- {} m/s^2 from {} drops", sim.g_mean, sim.g_std, rows))));
  Check(SaveData(store, e.id, "result.json",
                 DataValue::Json(fmt::format(R"({{"g": {}, "g_std": {}, "drops": {}, "unit": "m/s²"}})", sim.g_mean,
                                             sim.g_std, rows))));
  NdArray samples = Check(NdArray::From<double>(std::span<const double>(sim.samples)));
  Check(SaveData(store, e.id, "samples.npy", DataValue::Array(std::move(samples))));
  Check(run.Finish());
}

void RunDemo(const Context& ctx, const DemoArgs& a) {
  if (a.experiments < 1 || a.experiments > 1000) throw CommandError("--experiments must be in 1..1000", kExitUsage);
  Store store = ctx.OpenWriter();
  std::vector<double> sweep;
  for (int i = 0; i < a.experiments; ++i) sweep.push_back(0.5 * (i + 1));
  uint64_t per_experiment = a.rows + a.rows / 1000;
  std::printf("labstore demo: estimate_gravity over time_dilation = %s, %s rows each, store %s\n",
              fmt::format("{:.1f}", fmt::join(sweep, ", ")).c_str(), Count(static_cast<double>(per_experiment)).c_str(),
              store.dir().c_str());

  // Pass 1: run what is not stored yet, and again what a killed run left unfinished.
  std::vector<std::pair<double, Experiment>> todo;
  size_t unfinished = 0;
  for (double d : sweep) {
    Experiment e = Check(store.Get("estimate_gravity", ConfigFor(d)));
    if (e.stored && Check(store.GetStatus(e.id)).IsFinished()) continue;
    if (e.stored) ++unfinished;
    todo.emplace_back(d, std::move(e));
  }
  if (unfinished > 0) {
    std::printf(
        "%zu stored experiment%s never finished (killed or crashed): clearing %s records and running %s again\n",
        unfinished, unfinished == 1 ? "" : "s", unfinished == 1 ? "its" : "their", unfinished == 1 ? "it" : "them");
  }
  uint64_t run = todo.size();
  if (run == 0) {
    std::printf("all %zu experiments were already stored: nothing to simulate\n", sweep.size());
  } else {
    Progress progress("simulating", per_experiment * run, "rows");
    uint64_t done = 0;
    int kill_after = KillAfter();
    for (size_t i = 0; i < todo.size(); ++i) {
      auto& [d, e] = todo[i];
      PrepareRun(store, e);
      RunExperiment(store, e, d, a.rows, progress, done, kill_after >= 0 && i == static_cast<size_t>(kill_after));
      done += per_experiment;
      progress.Update(done);
    }
    progress.Finish();
    double secs = progress.seconds();
    std::printf("ran %llu experiments: %s rows in %.2f s (%s rows/s, simulation included)\n",
                static_cast<unsigned long long>(run), Count(static_cast<double>(run * per_experiment)).c_str(), secs,
                Count(static_cast<double>(run * per_experiment) / secs).c_str());
  }

  // Pass 2: the same sweep finds the stored experiments instead of recomputing.
  std::printf("\nsecond pass: Get(\"estimate_gravity\", {time_dilation: ...}) finds the stored experiments\n");
  Table table({"time_dilation", "id", "stored", "g (result.json)", "rows", "Get took"},
              {true, false, false, true, true, true});
  for (double d : sweep) {
    auto start = std::chrono::steady_clock::now();
    Experiment e = Check(store.Get("estimate_gravity", ConfigFor(d)));
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    std::string g = "-", rows = "-";
    bool finished = e.stored && Check(store.GetStatus(e.id)).IsFinished();
    if (finished) {
      DataValue result = Check(LoadData(store, e.id, "result.json"));
      g = result.json().substr(0, result.json().find(','));
      g = g.substr(g.find(':') + 2);
      rows = Count(static_cast<double>(Check(CountRows(store, e.id, "default"))));
    }
    table.Add({fmt::format("{:.1f}", d), e.id,
               finished   ? "yes"
               : e.stored ? "unfinished"
                          : "no",
               g, rows, fmt::format("{:.1f} us", us)});
  }
  std::fputs(table.Render().c_str(), stdout);

  // Export to machinable's layout, with the records as SQL tables.
  std::printf("\nexporting to %s (machinable 4.1 layout + storage.sqlite with the records view)\n",
              a.export_dir.c_str());
  auto export_start = std::chrono::steady_clock::now();
  StageProgress export_progress("export", "experiments", true);
  auto exported = Export(store, a.export_dir, {.progress = export_progress.Callback()});
  export_progress.Finish();
  ExportStats stats = Check(std::move(exported));
  double export_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - export_start).count();
  std::printf("exported %llu experiments in %.1f s: %llu files written, %llu unchanged, %s new record rows\n",
              static_cast<unsigned long long>(stats.experiments), export_secs,
              static_cast<unsigned long long>(stats.files_written),
              static_cast<unsigned long long>(stats.files_unchanged),
              Count(static_cast<double>(stats.record_rows)).c_str());
  std::string db = a.export_dir + "/storage.sqlite";
  std::printf(
      "\ntry these with sqlite3:\n"
      "  sqlite3 %s \"SELECT experiment_id, COUNT(*) AS drops, AVG(g), AVG(loss) FROM records_default GROUP BY "
      "experiment_id\"\n"
      "  sqlite3 %s \"SELECT json_extract(e.config, '$.time_dilation') AS dilation, v.g_mean, v.relative_error "
      "FROM experiments e JOIN records_validation v USING (experiment_id) WHERE v.row = (SELECT MAX(row) FROM "
      "records_validation WHERE experiment_id = e.experiment_id) ORDER BY dilation\"\n",
      db.c_str(), db.c_str());
  Check(store.Close());
}

}  // namespace

void RegisterDemo(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand("demo", "The main job: run the estimate_gravity sweep, log records, export");
  cmd->add_option("--rows", args->rows, "Rows logged in scope \"default\" per experiment (default 400000)");
  cmd->add_option("--experiments", args->experiments, "Number of time_dilation values in the sweep (default 8)");
  cmd->add_option("--export", args->export_dir, "Where to export machinable's layout (default ./storage)");
  cmd->footer("Example:\n  labstore demo                       # ./storage.labstore, exported to ./storage\n"
              "  labstore --store /tmp/s demo --rows 1000 --export /tmp/out\n");
  cmd->callback([&ctx, args] { RunDemo(ctx, *args); });
}

}  // namespace labstore::tool
