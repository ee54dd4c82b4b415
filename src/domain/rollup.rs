//! Roll-up: a goal's progress from its measures or from its child goals.
//!
//! A goal with measures is the weighted mean of its measures' scored
//! progress. A goal without measures is the weighted mean of its aligned
//! child goals that have a progress, dropped children left out. Otherwise a
//! goal has no progress (`None`).

use crate::domain::types::{GoalStatus, Standard};

/// The weighted mean of `(weight, value)` pairs: `Σ wᵢ·vᵢ / Σ wᵢ`.
///
/// `None` when there are no items or the total weight is not above zero.
/// Weights are expected to be positive and values finite (validation makes
/// them so).
pub fn weighted_mean<I: IntoIterator<Item = (f64, f64)>>(items: I) -> Option<f64> {
    let mut total_weight = 0.0;
    let mut weighted_sum = 0.0;
    for (weight, value) in items {
        total_weight += weight;
        weighted_sum += weight * value;
    }
    if total_weight > 0.0 {
        let mean = weighted_sum / total_weight;
        Some(if mean == 0.0 { 0.0 } else { mean })
    } else {
        None
    }
}

/// A goal's rolled-up progress.
///
/// `measures` are `(weight, scored progress)` of the goal's own measures;
/// `children` are `(goal weight, rolled-up progress)` of its aligned child
/// goals, with dropped children already left out by the caller. A goal with
/// measures is the weighted mean of its measures (children are then not
/// used); a goal without measures is the weighted mean of the children that
/// have a progress; otherwise `None`.
pub fn goal_progress(measures: &[(f64, f64)], children: &[(f64, Option<f64>)]) -> Option<f64> {
    if measures.is_empty() {
        weighted_mean(
            children
                .iter()
                .filter_map(|&(weight, progress)| progress.map(|p| (weight, p))),
        )
    } else {
        weighted_mean(measures.iter().copied())
    }
}

/// The progress of a goal with no measures and no child goal to roll up
/// (dropped children left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmptyGoal {
    /// No progress (shown as none): there is nothing to measure yet.
    #[default]
    None,
    /// Progress 0 (okr-tracker: an objective without key results).
    Zero,
}

impl EmptyGoal {
    /// The spelling in the configuration file and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            EmptyGoal::None => "none",
            EmptyGoal::Zero => "zero",
        }
    }
}

/// [`goal_progress`], with the rule for a goal with no measures and no
/// children: under [`EmptyGoal::Zero`] it is 0 rather than none.
pub fn goal_progress_with(
    measures: &[(f64, f64)],
    children: &[(f64, Option<f64>)],
    empty: EmptyGoal,
) -> Option<f64> {
    if empty == EmptyGoal::Zero && measures.is_empty() && children.is_empty() {
        return Some(0.0);
    }
    goal_progress(measures, children)
}

/// The standard of a goal as a whole from its rolled-up progress:
/// [`Standard::Meets`] at 1 or more, [`Standard::Below`] otherwise, `None`
/// without a progress. Exceeds and unacceptable come from a measure's stretch
/// and floor, so they are given per measure only.
pub fn goal_standard(progress: Option<f64>) -> Option<Standard> {
    progress.map(|p| {
        if p >= 1.0 {
            Standard::Meets
        } else {
            Standard::Below
        }
    })
}

/// One goal in a tree passed to [`rollup_tree`].
#[derive(Debug, Clone, PartialEq)]
pub struct GoalNode {
    /// The goal's id (carried along; not used by the computation).
    pub id: i64,
    /// The goal's weight among its siblings.
    pub weight: f64,
    /// The goal's status; dropped goals are left out of their parent's roll-up.
    pub status: GoalStatus,
    /// `(weight, scored progress)` of the goal's own measures.
    pub measures: Vec<(f64, f64)>,
    /// Indices into the node slice of the goal's aligned child goals.
    pub children: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    Unvisited,
    OnPath,
    Done,
}

/// Every node's rolled-up progress, in the order of `nodes`, by
/// [`goal_progress`] applied bottom-up.
///
/// Children are indices into `nodes`; dropped children and indices out of
/// range are skipped. The walk is iterative and visits each node once, so a
/// deep tree cannot overflow the stack, and a cycle cannot loop: a child met
/// again while it is still on the current path counts as having no progress.
/// A dropped node still gets its own progress; it only does not count
/// towards its parent's.
pub fn rollup_tree(nodes: &[GoalNode]) -> Vec<Option<f64>> {
    let n = nodes.len();
    let mut visit = vec![Visit::Unvisited; n];
    let mut result: Vec<Option<f64>> = vec![None; n];
    // (node, position of the next child to look at)
    let mut stack: Vec<(usize, usize)> = Vec::new();

    for root in 0..n {
        if visit[root] != Visit::Unvisited {
            continue;
        }
        visit[root] = Visit::OnPath;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (node, pos) = *top;
            if let Some(&child) = nodes[node].children.get(pos) {
                top.1 += 1;
                if child < n && visit[child] == Visit::Unvisited {
                    visit[child] = Visit::OnPath;
                    stack.push((child, 0));
                }
                continue;
            }
            stack.pop();
            let goal = &nodes[node];
            let children: Vec<(f64, Option<f64>)> = goal
                .children
                .iter()
                .filter(|&&c| c < n && nodes[c].status != GoalStatus::Dropped)
                .map(|&c| {
                    let progress = if visit[c] == Visit::Done {
                        result[c]
                    } else {
                        None // still on the path: a cycle
                    };
                    (nodes[c].weight, progress)
                })
                .collect();
            result[node] = goal_progress(&goal.measures, &children);
            visit[node] = Visit::Done;
        }
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => (a - b).abs() < 1e-12,
            _ => false,
        }
    }

    fn node(weight: f64, measures: &[(f64, f64)], children: &[usize]) -> GoalNode {
        GoalNode {
            id: 0,
            weight,
            status: GoalStatus::Active,
            measures: measures.to_vec(),
            children: children.to_vec(),
        }
    }

    #[test]
    fn weighted_mean_basics() {
        assert_eq!(weighted_mean([]), None);
        assert_eq!(weighted_mean([(0.0, 0.5)]), None);
        assert_eq!(weighted_mean([(1.0, 0.5)]), Some(0.5));
        assert!(close(
            weighted_mean([(2.0, 0.5), (1.0, 1.0)]),
            Some(2.0 / 3.0)
        ));
        assert_eq!(weighted_mean([(1.0, 0.0), (3.0, 1.0)]), Some(0.75));
    }

    #[test]
    fn goal_progress_rules() {
        // Measures win over children.
        assert_eq!(goal_progress(&[(1.0, 0.2)], &[(1.0, Some(1.0))]), Some(0.2));
        // Without measures: children with a progress.
        assert!(close(
            goal_progress(&[], &[(1.0, Some(0.4)), (1.0, None), (3.0, Some(0.8))]),
            Some(0.7)
        ));
        assert_eq!(goal_progress(&[], &[(1.0, None)]), None);
        assert_eq!(goal_progress(&[], &[]), None);
    }

    #[test]
    fn goal_standard_levels() {
        assert_eq!(goal_standard(None), None);
        assert_eq!(goal_standard(Some(1.0)), Some(Standard::Meets));
        assert_eq!(goal_standard(Some(0.999)), Some(Standard::Below));
        assert_eq!(goal_standard(Some(0.0)), Some(Standard::Below));
    }

    #[test]
    fn tree_rolls_up_and_skips_dropped() {
        let mut dropped = node(5.0, &[(1.0, 0.0)], &[]);
        dropped.status = GoalStatus::Dropped;
        let nodes = vec![
            node(1.0, &[], &[1, 2, 3, 4]),
            node(1.0, &[(1.0, 0.4)], &[]),
            node(3.0, &[(2.0, 1.0), (2.0, 0.6)], &[]),
            dropped,
            node(1.0, &[], &[]), // no measures, no children: no progress
        ];
        let r = rollup_tree(&nodes);
        assert_eq!(r[1], Some(0.4));
        assert_eq!(r[2], Some(0.8));
        assert_eq!(r[3], Some(0.0));
        assert_eq!(r[4], None);
        assert!(close(r[0], Some((0.4 + 3.0 * 0.8) / 4.0)));
    }

    #[test]
    fn tree_handles_cycles_and_bad_indices() {
        let nodes = vec![
            node(1.0, &[], &[1]),
            node(1.0, &[], &[0, 2, 99]),
            node(1.0, &[(1.0, 0.5)], &[]),
        ];
        let r = rollup_tree(&nodes);
        assert_eq!(r[2], Some(0.5));
        assert_eq!(r[1], Some(0.5));
        assert_eq!(r[0], Some(0.5));

        let self_loop = vec![node(1.0, &[], &[0])];
        assert_eq!(rollup_tree(&self_loop), vec![None]);
        assert_eq!(rollup_tree(&[]), Vec::<Option<f64>>::new());
    }

    #[test]
    fn tree_handles_deep_chains() {
        let depth = 200_000;
        let mut nodes: Vec<GoalNode> = (0..depth).map(|i| node(1.0, &[], &[i + 1])).collect();
        nodes.push(node(1.0, &[(1.0, 0.25)], &[]));
        let r = rollup_tree(&nodes);
        assert_eq!(r[0], Some(0.25));
        assert!(r.iter().all(|p| *p == Some(0.25)));
    }

    #[test]
    fn shared_children_are_computed_once() {
        let nodes = vec![
            node(1.0, &[], &[2]),
            node(1.0, &[], &[2]),
            node(1.0, &[(1.0, 0.3)], &[]),
        ];
        assert_eq!(rollup_tree(&nodes), vec![Some(0.3), Some(0.3), Some(0.3)]);
    }

    proptest! {
        #[test]
        fn rollup_of_scored_values_stays_in_unit_interval(
            specs in proptest::collection::vec(
                (0.01f64..10.0, proptest::collection::vec((0.01f64..10.0, 0.0f64..=1.0), 0..3),
                 proptest::collection::vec(0usize..12, 0..4), any::<bool>()),
                0..12,
            )
        ) {
            let nodes: Vec<GoalNode> = specs
                .into_iter()
                .map(|(weight, measures, children, dropped)| GoalNode {
                    id: 0,
                    weight,
                    status: if dropped { GoalStatus::Dropped } else { GoalStatus::Active },
                    measures,
                    children,
                })
                .collect();
            let r = rollup_tree(&nodes);
            prop_assert_eq!(r.len(), nodes.len());
            for (node, p) in nodes.iter().zip(&r) {
                if let Some(p) = p {
                    prop_assert!((-1e-12..=1.0 + 1e-12).contains(p));
                }
                if !node.measures.is_empty() {
                    prop_assert!(p.is_some());
                }
            }
        }
    }
}
