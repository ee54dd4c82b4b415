//! Examples for every command's long help (`--help`), kept in one table so
//! they are easy to review together; attached to the clap tree by [`command`].

use clap::CommandFactory;

const EXAMPLES: &[(&[&str], &str)] = &[
    (
        &["appraise", "action", "list"],
        "yardstick --as bob appraise action list --cycle 2026-H2\n  yardstick appraise action list --person alice --status open\n  yardstick appraise action list --overdue --format json",
    ),
    (
        &["appraise", "action", "done"],
        "yardstick --as alice appraise action done 7 --note \"Read it twice\"",
    ),
    (
        &["appraise", "action", "drop"],
        "yardstick --as bob appraise action drop 8 --note \"Found a mentor internally\"",
    ),
    (
        &["pip", "show"],
        "yardstick --as sam pip show 1\n  yardstick --as raj pip show 1 --format json",
    ),
    (
        &["pip", "list"],
        "yardstick pip list\n  yardstick pip list --person raj --status active --format json",
    ),
    (
        &["pip", "checkpoint"],
        "yardstick --as sam pip checkpoint 1 --note \"Two deals closed so far\"\n  yardstick --as sam pip checkpoint 1 --note \"Met on Friday\" --on friday",
    ),
    (
        &["pip", "close"],
        "yardstick --as sam pip close 1 --outcome successful --note \"Four deals in January\"\n  yardstick --as sam pip close 1 --outcome extended --until 2027-03-31 --checkpoint 2027-03-01",
    ),
    (
        &["pip", "ack"],
        "yardstick --as raj pip ack 1\n  yardstick --as raj pip ack 1 --comment \"The territory changed in March\"",
    ),
    (
        &["init"],
        "yardstick init --me alice --name \"Alice Moreau\"\n  yardstick --db team.db init",
    ),
    (
        &["demo"],
        "yardstick demo\n  yardstick demo --db /tmp/org.db --people 200 --weeks 26 --seed 1\n  yardstick demo --db /tmp/big.db --people 2000 --weeks 156     (3M check-ins, about a minute)",
    ),
    (
        &["people", "list"],
        "yardstick people list\n  yardstick people list --team platform --all --format csv",
    ),
    (
        &["people", "show"],
        "yardstick people show alice\n  yardstick people show alice --format json",
    ),
    (
        &["people", "edit"],
        "yardstick people edit alice --title \"Staff engineer\" --manager bob\n  yardstick people edit alice --cadence 14 --purpose \"Keep the API fast\"\n  yardstick people edit sam --inactive",
    ),
    (&["people", "rm"], "yardstick people rm zed --yes"),
    (&["team", "list"], "yardstick team list"),
    (&["team", "show"], "yardstick team show platform"),
    (
        &["team", "edit"],
        "yardstick team edit platform --lead bob --parent acme",
    ),
    (&["team", "rm"], "yardstick team rm old-team --yes"),
    (&["team", "tree"], "yardstick team tree"),
    (&["period", "list"], "yardstick period list"),
    (&["period", "rm"], "yardstick period rm FY2027"),
    (
        &["plan", "list"],
        "yardstick plan list\n  yardstick plan list --team platform --status open\n  yardstick plan list --period 2026-Q4 --format json | jq '.goals[].key'",
    ),
    (
        &["plan", "show"],
        "yardstick plan show api-latency\n  yardstick plan show 12 --format json",
    ),
    (
        &["plan", "close"],
        "yardstick plan close api-latency\n  yardstick plan close partner-channel missed",
    ),
    (&["plan", "reopen"], "yardstick plan reopen api-latency"),
    (
        &["plan", "rm"],
        "yardstick plan rm old-goal --yes\n  yardstick plan rm api-latency --measure \"error rate\" --yes",
    ),
    (
        &["plan", "tree"],
        "yardstick plan tree\n  yardstick plan tree reliability --status all",
    ),
    (
        &["checkin", "list"],
        "yardstick checkin list --goal api-latency\n  yardstick checkin list --team platform --since \"4 weeks ago\" --format csv",
    ),
    (
        &["checkin", "edit"],
        "yardstick checkin edit 42 --value 310 --note \"corrected\"",
    ),
    (&["checkin", "rm"], "yardstick checkin rm 42 --yes"),
    (
        &["checkin", "due"],
        "yardstick checkin due\n  yardstick checkin due --team platform --format json",
    ),
    (
        &["feedback", "list"],
        "yardstick --as bob feedback list --to alice\n  yardstick feedback list --kind praise --since som",
    ),
    (
        &["feedback", "rm"],
        "yardstick --as bob feedback rm 7 --yes",
    ),
    (
        &["appraise", "cycle", "list"],
        "yardstick appraise cycle list",
    ),
    (
        &["appraise", "cycle", "show"],
        "yardstick appraise cycle show 2026-H2",
    ),
    (
        &["appraise", "cycle", "open"],
        "yardstick appraise cycle open 2026-H2",
    ),
    (
        &["appraise", "cycle", "calibrate"],
        "yardstick appraise cycle calibrate 2026-H2\n  yardstick appraise cycle calibrate 2026-H2 --force   (logged)",
    ),
    (
        &["appraise", "cycle", "finalize"],
        "yardstick appraise cycle finalize 2026-H2",
    ),
    (
        &["appraise", "cycle", "reopen"],
        "yardstick appraise cycle reopen 2026-H2 --reason \"appeal upheld for kim\"",
    ),
    (
        &["appraise", "peers"],
        "yardstick appraise peers 2026-H2 alice --add chen --add eve --add omar",
    ),
    (
        &["appraise", "calibrate"],
        "yardstick appraise calibrate 2026-H2 alice --level 5 --reason \"led the incident response\"",
    ),
    (
        &["appraise", "outcome"],
        "yardstick appraise outcome 2026-H2 alice --potential high --recommend promotion\n  yardstick appraise outcome 2026-H2 kim --recommend improvement-plan --action \"weekly 1:1 on estimates\" --due 2027-03-31",
    ),
    (
        &["appraise", "ack"],
        "yardstick --as alice appraise ack 2026-H2",
    ),
    (
        &["appraise", "status"],
        "yardstick appraise status 2026-H2\n  yardstick appraise status 2026-H2 --format csv -o status.csv",
    ),
    (
        &["appraise", "show"],
        "yardstick --as bob appraise show 2026-H2 alice",
    ),
    (
        &["appraise", "explain"],
        "yardstick --as bob appraise explain 2026-H2 alice\n  yardstick appraise explain 2026-H2 alice --format json",
    ),
    (
        &["report", "goals"],
        "yardstick report goals --team platform\n  yardstick report goals --period 2026-Q4 --format csv -o goals.csv",
    ),
    (
        &["report", "gaps"],
        "yardstick report gaps --limit 10\n  yardstick report gaps --team sales -o gaps.html",
    ),
    (
        &["report", "team"],
        "yardstick report team platform\n  yardstick report team --format html -o team.html",
    ),
    (
        &["report", "trend"],
        "yardstick report trend api-latency\n  yardstick report trend api-latency --since 2026-10-01 -o trend.html",
    ),
    (
        &["report", "checkins"],
        "yardstick report checkins --since \"8 weeks ago\"\n  yardstick report checkins --team platform --format csv",
    ),
    (
        &["report", "cycle"],
        "yardstick report cycle 2026-H2\n  yardstick report cycle 2026-H2 -o calibration.html",
    ),
    (
        &["report", "person"],
        "yardstick report person alice --cycle 2026-H2 -o alice.html\n  yardstick report person alice --include-private --format markdown",
    ),
    (
        &["report", "effectiveness"],
        "yardstick report effectiveness\n  yardstick report effectiveness --team platform --since soy",
    ),
    (
        &["undo"],
        "yardstick undo            (shows what it reverts, then asks)\n  yardstick undo --yes      (in scripts)",
    ),
    (
        &["log"],
        "yardstick log\n  yardstick log --limit 5 --format json",
    ),
    (
        &["config", "show"],
        "yardstick config show\n  YARDSTICK_CONFIG=./team.toml yardstick config show",
    ),
    (&["man"], "yardstick man ./man && man -l man/yardstick.1"),
];

fn attach(cmd: clap::Command, path: &[&str], text: &'static str) -> clap::Command {
    match path.split_first() {
        None => {
            if cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some() {
                cmd
            } else {
                cmd.after_long_help(format!("Examples:\n  {text}"))
            }
        }
        Some((first, rest)) => {
            if cmd.find_subcommand(first).is_none() {
                return cmd;
            }
            cmd.mut_subcommand(*first, |sub| attach(sub, rest, text))
        }
    }
}

/// The clap command tree with every example attached.
pub fn command() -> clap::Command {
    let mut cmd = super::Cli::command();
    for (path, text) in EXAMPLES {
        cmd = attach(cmd, path, text);
    }
    cmd
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn walk(cmd: &clap::Command, path: &mut Vec<String>, missing: &mut Vec<String>) {
        let has = cmd
            .get_after_long_help()
            .or(cmd.get_after_help())
            .is_some_and(|h| h.to_string().contains("Example"));
        let is_group =
            cmd.has_subcommands() && cmd.get_name() != "report" && cmd.get_name() != "checkin";
        if !has
            && !is_group
            && !path.is_empty()
            && path
                .last()
                .is_some_and(|n| n != "help" && n != "completions")
        {
            missing.push(path.join(" "));
        }
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            path.push(sub.get_name().to_string());
            walk(sub, path, missing);
            path.pop();
        }
    }

    #[test]
    fn every_command_has_examples() {
        let mut missing = Vec::new();
        walk(&command(), &mut Vec::new(), &mut missing);
        assert!(missing.is_empty(), "commands without examples: {missing:?}");
    }

    #[test]
    fn every_example_path_exists() {
        let cmd = command();
        for (path, _) in EXAMPLES {
            let mut c = &cmd;
            for p in *path {
                c = c
                    .find_subcommand(p)
                    .unwrap_or_else(|| panic!("no command {path:?}"));
            }
        }
    }
}
