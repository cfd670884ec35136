#pragma once
#include <sstream>
#include <string>
#include <vector>

#include "ResultRows.h"

namespace ternlab::cli {

// α of every significance mark in the results.
inline constexpr double kAlpha = 0.05;

// One comparison of a family, with its Holm-adjusted p-value (m = the family's tests with a p-value).
struct TestedPair {
  std::string label;
  report::Comparison test;
  double adjustedP = 0;
  bool significant() const { return adjustedP <= kAlpha; }
};
std::vector<TestedPair> holmFamily(std::vector<std::pair<std::string, report::Comparison>> tests);
int familySize(const std::vector<TestedPair>& family);
// "+0.25 points (d = 1.3, paired t, df = 4): p = 0.031, Holm p = 0.093, not significant".
std::string describe(const TestedPair& t);

// The derived tables (Markdown), each from the seed groups of the finished top-level runs.
void budgetTable(std::ostringstream& md, const std::vector<ResultGroup>& groups);
void table3(std::ostringstream& md, const std::vector<ResultGroup>& groups);
void relTable(std::ostringstream& md, const std::vector<ResultGroup>& groups);
void lambdaCurve(std::ostringstream& md, const std::vector<ResultGroup>& groups);
void groupTable(std::ostringstream& md, const std::string& title, const std::vector<ResultGroup>& groups);
// The papers' claims, each with its verdict (ResultClaims.cpp).
void claimsSection(std::ostringstream& md, const std::vector<ResultGroup>& groups);

}  // namespace ternlab::cli
