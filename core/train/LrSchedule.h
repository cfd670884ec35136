#pragma once
#include "config/ExperimentConfig.h"

namespace ternlab::train {

// Learning rate at a fractional epoch position: linear warm-up, then constant, step or cosine decay.
double learningRate(const config::OptimizerSpec& opt, const config::ScheduleSpec& sched, int epochs, double epochPos);

}  // namespace ternlab::train
