//! Parent links form trees: a person's manager, a team's parent team, a
//! goal's parent goal. A link that would close a loop is refused, on the
//! command line and in an import alike; this is the one walk both use.

use std::collections::HashSet;
use std::hash::Hash;

/// Whether making `parent` the parent of `child` closes a loop: `child` is
/// `parent` itself or one of its ancestors, found by following `parent_of`
/// upward from `parent`. Returns the loop as the path from `child` up to
/// `child` again (`[child, parent, …, child]`), or `None`.
///
/// `parent_of` reads one link from wherever the caller keeps them (a
/// database, a database with an import laid over it); its error ends the
/// walk. A loop higher up that does not pass through `child` ends the walk
/// without one: it is not this link's doing.
///
/// ```
/// use yardstick::domain::graph::closes_loop;
/// // b's parent is a; making b the parent of a closes a → b → a.
/// let parent_of = |k: &&str| Ok::<_, ()>(if *k == "b" { Some("a") } else { None });
/// assert_eq!(closes_loop(&"a", &"b", parent_of), Ok(Some(vec!["a", "b", "a"])));
/// assert_eq!(closes_loop(&"c", &"b", parent_of), Ok(None));
/// assert_eq!(closes_loop(&"a", &"a", parent_of), Ok(Some(vec!["a", "a"])));
/// ```
pub fn closes_loop<K, E>(
    child: &K,
    parent: &K,
    mut parent_of: impl FnMut(&K) -> Result<Option<K>, E>,
) -> Result<Option<Vec<K>>, E>
where
    K: Clone + Eq + Hash,
{
    let mut path = vec![child.clone(), parent.clone()];
    let mut seen: HashSet<K> = HashSet::new();
    let mut at = parent.clone();
    loop {
        if &at == child {
            return Ok(Some(path));
        }
        if !seen.insert(at.clone()) {
            return Ok(None);
        }
        match parent_of(&at)? {
            Some(next) => {
                path.push(next.clone());
                at = next;
            }
            None => return Ok(None),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn walk(links: &[(u32, u32)], child: u32, parent: u32) -> Option<Vec<u32>> {
        let map: HashMap<u32, u32> = links.iter().copied().collect();
        closes_loop(&child, &parent, |k| Ok::<_, ()>(map.get(k).copied())).unwrap()
    }

    #[test]
    fn a_chain_back_to_the_child_is_a_loop() {
        assert_eq!(walk(&[(2, 3), (3, 1)], 1, 2), Some(vec![1, 2, 3, 1]));
        assert_eq!(walk(&[(2, 3)], 1, 2), None);
        assert_eq!(walk(&[], 1, 1), Some(vec![1, 1]));
    }

    #[test]
    fn a_loop_elsewhere_ends_the_walk() {
        // 2 → 3 → 2 loops without passing through 1.
        assert_eq!(walk(&[(2, 3), (3, 2)], 1, 2), None);
    }
}
