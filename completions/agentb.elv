
use builtin;
use str;

set edit:completion:arg-completer[agentb] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'agentb'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'agentb'= {
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --format 'Output format of the command''s report'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand lint 'Check skills, personas, test files and the config'
            cand compile 'Lint, then compile skills into deployable artifacts'
            cand explain 'Explain a lint rule, or list all rules'
            cand init 'Create `.agentbuilder.toml`, `skills/` and `personas/` in a directory'
            cand new 'Scaffold a new skill or persona that passes lint'
            cand erp 'Work with ERP instances: serve the reference ERP, manage local orgs, check reachability'
            cand diff 'Show the interface changes and the prompt diff of a skill against a deployed version, a kept version or a git revision'
            cand version 'List skill versions and where they are deployed; bump or check versions'
            cand deploy 'Deploy compiled skills (and personas) to the orgs of an instance'
            cand promote 'Send a skill''s canary version to all remaining orgs, after the failure-rate gate'
            cand abort 'Return a skill''s canary orgs to the baseline version'
            cand pin 'Deploy a kept version of a skill to orgs and keep them there'
            cand unpin 'Let pinned orgs follow new versions again'
            cand rollback 'Redeploy the previous (or a named) version of a skill'
            cand status 'Show what is deployed where; with `--refresh`, check the live records for drift'
            cand history 'Show the release history of a skill'
            cand run 'Run a skill on Claude for one org, behind the guard, hooks and proposals'
            cand build 'Let a built-in builder draft a skill, or design a form or a workflow for an org'
            cand refine 'Draft an improved version of a skill from feedback or from its failed invocations'
            cand test 'Run the skills'' test cases (`skills/<id>.test.yaml`) through the real runtime'
            cand import 'Import Agent Skills folders (`SKILL.md`) as agentb skills'
            cand export 'Export skills as Agent Skills folders that the official validator accepts'
            cand proposals 'List, show, approve, reject or undo the proposals of runs'
            cand sessions 'List or show run sessions'
            cand completions 'Print a shell completion script'
            cand generate-docs 'Write the man pages and completion scripts into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;lint'= {
            cand --deny 'Treat these rules (codes, names, or `warnings`) as errors'
            cand --allow 'Silence these rules (codes or names)'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --fix 'Apply the fixes that cannot change meaning, and report them'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;compile'= {
            cand --out 'Directory for the artifacts [default: .agentbuilder/cache/compiled]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --check 'Write nothing; exit 1 if any artifact would change'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;explain'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;init'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;new'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand skill 'Scaffold `skills/<ID>.md`'
            cand persona 'Scaffold `personas/<ID>.md`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;new;skill'= {
            cand --category 'Category, e.g. `briefs`'
            cand --description 'One-sentence description'
            cand --trigger 'Trigger events (snake_case), repeatable'
            cand --input 'Inputs as `name:type` or `name:type!` for required, repeatable'
            cand --output 'Outputs as `name:type`, repeatable'
            cand --permission 'Permissions as `resource:action`, repeatable'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --force 'Overwrite an existing file'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;new;persona'= {
            cand --name 'Display name'
            cand --allow-skill 'Skills the persona may use, repeatable'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --force 'Overwrite an existing file'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;new;help'= {
            cand skill 'Scaffold `skills/<ID>.md`'
            cand persona 'Scaffold `personas/<ID>.md`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;new;help;skill'= {
        }
        &'agentb;new;help;persona'= {
        }
        &'agentb;new;help;help'= {
        }
        &'agentb;erp'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Serve the local store over HTTP: the reference ERP'
            cand org 'Manage the orgs of a local instance'
            cand ping 'Check that an instance is reachable and the key is accepted'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;erp;serve'= {
            cand --addr 'Address to listen on (port 0 picks a free port)'
            cand --db 'SQLite database [default: .agentbuilder/local/erp.sqlite]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --insecure-dev 'Serve without a key (loopback addresses only)'
            cand --create 'Create the `--db` database when it does not exist'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;erp;org'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Add orgs to a local instance'
            cand list 'List the orgs of an instance'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;erp;org;add'= {
            cand --name 'Display name [default: the id] (one org only)'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --db 'Use this SQLite database instead of the instance''s'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;erp;org;list'= {
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --db 'Read this SQLite database instead of the instance'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;erp;org;help'= {
            cand add 'Add orgs to a local instance'
            cand list 'List the orgs of an instance'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;erp;org;help;add'= {
        }
        &'agentb;erp;org;help;list'= {
        }
        &'agentb;erp;org;help;help'= {
        }
        &'agentb;erp;ping'= {
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --org 'Org to authenticate as [default: the instance''s first org]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;erp;help'= {
            cand serve 'Serve the local store over HTTP: the reference ERP'
            cand org 'Manage the orgs of a local instance'
            cand ping 'Check that an instance is reachable and the key is accepted'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;erp;help;serve'= {
        }
        &'agentb;erp;help;org'= {
            cand add 'Add orgs to a local instance'
            cand list 'List the orgs of an instance'
        }
        &'agentb;erp;help;org;add'= {
        }
        &'agentb;erp;help;org;list'= {
        }
        &'agentb;erp;help;ping'= {
        }
        &'agentb;erp;help;help'= {
        }
        &'agentb;diff'= {
            cand --against 'What to compare with: `deployed`, a version kept in the release store, or a git revision'
            cand --org 'With `--against deployed`: the version deployed to this org [default: the newest deployed]'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --exit-code 'Exit 1 when anything differs'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;version'= {
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand bump 'Rewrite a skill''s version (only the version scalar changes in the file)'
            cand check 'Exit 1 when a changed skill''s version bump is smaller than its changes require'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;version;bump'= {
            cand --against 'With `auto`: compare with this instead of the deployed version (as in `agentb diff`)'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;version;check'= {
            cand --against 'Compare with `deployed` (the newest deployed version) or a git revision, e.g. `origin/main`'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;version;help'= {
            cand bump 'Rewrite a skill''s version (only the version scalar changes in the file)'
            cand check 'Exit 1 when a changed skill''s version bump is smaller than its changes require'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;version;help;bump'= {
        }
        &'agentb;version;help;check'= {
        }
        &'agentb;version;help;help'= {
        }
        &'agentb;deploy'= {
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --org 'Only these orgs (repeatable) [default: every org of the instance]'
            cand --canary 'Deploy only to the orgs whose canary bucket is below PCT (e.g. `10%`, `2.5`)'
            cand --concurrency 'Orgs written at once [default: `deploy.concurrency`, 16]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --all-orgs 'Every org of the instance (the default)'
            cand --plan 'Show the plan and stop'
            cand --exit-code 'With `--plan`: exit 1 when the plan has changes'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;promote'= {
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --concurrency 'Orgs written at once [default: `deploy.concurrency`, 16]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --force 'Skip the failure-rate gate'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;abort'= {
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;pin'= {
            cand --org 'The orgs to pin (repeatable)'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;unpin'= {
            cand --org 'The orgs to unpin (repeatable)'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;rollback'= {
            cand --org 'Only these orgs (repeatable) [default: every org of the instance]'
            cand --to 'Roll back to this kept version [default: each org''s previous version]'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --all-orgs 'Every org of the instance (the default)'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;status'= {
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --refresh 'Read the live records and report drift (exit 1 when there is any)'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;history'= {
            cand --org 'Only this org''s history'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;run'= {
            cand --org 'The org to run for; every ERP call is scoped to it'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --persona 'Run as this persona (its prompt comes first; it must allow the skill)'
            cand --input 'An input as `key=value` (a JSON value, else a string), repeatable'
            cand --input-file 'Read the input from a JSON file (`--input` values override its keys)'
            cand --model 'The Claude model [default: the persona''s, else `claude.model`]'
            cand --approve 'Confirm T2 (`t2`) or T2 and T3 (`t3`) calls without asking'
            cand --resume 'Continue this session (its pending T2 proposals are soft-confirmed within their window)'
            cand --message 'With `--resume`: the next user message'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --source 'Run the working copy (compiled if needed) and the project''s persona file, not the version deployed to the org'
            cand --dry-run 'Print the exact request that would be sent (and, on stderr, the version that would run), and stop'
            cand --reject 'With `--resume`: reject the pending proposals instead of soft-confirming them'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;build'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand skill 'Draft a new skill from a one-sentence description, lint-clean'
            cand form 'Design a FormTemplate for an org and propose it (T2)'
            cand workflow 'Design a chain of ContentTriggers over an org''s existing skills and propose it (T2)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;build;skill'= {
            cand --id 'The new skill''s id [default: the model picks a new one]'
            cand --rounds 'At most this many drafts'
            cand --model 'The Claude model [default: `claude.model`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;build;form'= {
            cand --org 'The org to design for; every ERP call is scoped to it'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --model 'The Claude model [default: `claude.model`]'
            cand --approve 'Confirm the T2 proposals (`t2`), or T2 and T3 (`t3`), without asking'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;build;workflow'= {
            cand --org 'The org to design for; every ERP call is scoped to it'
            cand --instance 'Instance name from the config [default: `erp.default`]'
            cand --model 'The Claude model [default: `claude.model`]'
            cand --approve 'Confirm the T2 proposals (`t2`), or T2 and T3 (`t3`), without asking'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;build;help'= {
            cand skill 'Draft a new skill from a one-sentence description, lint-clean'
            cand form 'Design a FormTemplate for an org and propose it (T2)'
            cand workflow 'Design a chain of ContentTriggers over an org''s existing skills and propose it (T2)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;build;help;skill'= {
        }
        &'agentb;build;help;form'= {
        }
        &'agentb;build;help;workflow'= {
        }
        &'agentb;build;help;help'= {
        }
        &'agentb;refine'= {
            cand --feedback 'What to improve, in words'
            cand --org 'With `--from-invocations`: the org whose invocations to read'
            cand --since 'With `--from-invocations`: how far back to look'
            cand --instance 'With `--from-invocations`: the instance [default: `erp.default`]'
            cand --rounds 'At most this many drafts'
            cand --model 'The Claude model [default: `claude.model`]'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --from-invocations 'Learn from the org''s failed invocations of the skill (input, error, output)'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;test'= {
            cand --mode 'Where the model''s answers come from'
            cand -j 'Cases to run at once [default: the number of cores]'
            cand --jobs 'Cases to run at once [default: the number of cores]'
            cand --out 'Write the report (`--format json` or `junit`) to this file instead of stdout'
            cand --filter 'Run only the cases whose name contains this text'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;import'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --force 'Overwrite existing skill files and their bundled-file folders'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;export'= {
            cand --out 'The folder to write the skill folders into'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand --force 'Replace existing exported skill folders'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;proposals'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List proposals, newest last'
            cand show 'Show one proposal with its input, result and history'
            cand approve 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)'
            cand reject 'Reject a pending or failed proposal'
            cand undo 'Reverse an executed proposal with its recorded compensation'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;proposals;list'= {
            cand --session 'Only this session''s proposals'
            cand --state 'Only proposals in this state (`pending`, `executed`, …)'
            cand --instance 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;proposals;show'= {
            cand --instance 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;proposals;approve'= {
            cand --instance 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;proposals;reject'= {
            cand --instance 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;proposals;undo'= {
            cand --instance 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;proposals;help'= {
            cand list 'List proposals, newest last'
            cand show 'Show one proposal with its input, result and history'
            cand approve 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)'
            cand reject 'Reject a pending or failed proposal'
            cand undo 'Reverse an executed proposal with its recorded compensation'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;proposals;help;list'= {
        }
        &'agentb;proposals;help;show'= {
        }
        &'agentb;proposals;help;approve'= {
        }
        &'agentb;proposals;help;reject'= {
        }
        &'agentb;proposals;help;undo'= {
        }
        &'agentb;proposals;help;help'= {
        }
        &'agentb;sessions'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List sessions, newest last'
            cand show 'Show one session: its status, usage, proposals and audit log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;sessions;list'= {
            cand --instance 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;sessions;show'= {
            cand --instance 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones'
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;sessions;help'= {
            cand list 'List sessions, newest last'
            cand show 'Show one session: its status, usage, proposals and audit log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;sessions;help;list'= {
        }
        &'agentb;sessions;help;show'= {
        }
        &'agentb;sessions;help;help'= {
        }
        &'agentb;completions'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;generate-docs'= {
            cand --format 'Output format of the command''s report'
            cand -C 'Run as if agentb was started in DIR'
            cand --config 'Use this config file instead of searching for `.agentbuilder.toml`'
            cand --color 'When to use colors'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Log more to stderr (-v info, -vv debug, -vvv trace)'
            cand --no-input 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
            cand -y 'Answer yes to confirmations (never approves T3 tool calls)'
            cand --yes 'Answer yes to confirmations (never approves T3 tool calls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentb;help'= {
            cand lint 'Check skills, personas, test files and the config'
            cand compile 'Lint, then compile skills into deployable artifacts'
            cand explain 'Explain a lint rule, or list all rules'
            cand init 'Create `.agentbuilder.toml`, `skills/` and `personas/` in a directory'
            cand new 'Scaffold a new skill or persona that passes lint'
            cand erp 'Work with ERP instances: serve the reference ERP, manage local orgs, check reachability'
            cand diff 'Show the interface changes and the prompt diff of a skill against a deployed version, a kept version or a git revision'
            cand version 'List skill versions and where they are deployed; bump or check versions'
            cand deploy 'Deploy compiled skills (and personas) to the orgs of an instance'
            cand promote 'Send a skill''s canary version to all remaining orgs, after the failure-rate gate'
            cand abort 'Return a skill''s canary orgs to the baseline version'
            cand pin 'Deploy a kept version of a skill to orgs and keep them there'
            cand unpin 'Let pinned orgs follow new versions again'
            cand rollback 'Redeploy the previous (or a named) version of a skill'
            cand status 'Show what is deployed where; with `--refresh`, check the live records for drift'
            cand history 'Show the release history of a skill'
            cand run 'Run a skill on Claude for one org, behind the guard, hooks and proposals'
            cand build 'Let a built-in builder draft a skill, or design a form or a workflow for an org'
            cand refine 'Draft an improved version of a skill from feedback or from its failed invocations'
            cand test 'Run the skills'' test cases (`skills/<id>.test.yaml`) through the real runtime'
            cand import 'Import Agent Skills folders (`SKILL.md`) as agentb skills'
            cand export 'Export skills as Agent Skills folders that the official validator accepts'
            cand proposals 'List, show, approve, reject or undo the proposals of runs'
            cand sessions 'List or show run sessions'
            cand completions 'Print a shell completion script'
            cand generate-docs 'Write the man pages and completion scripts into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentb;help;lint'= {
        }
        &'agentb;help;compile'= {
        }
        &'agentb;help;explain'= {
        }
        &'agentb;help;init'= {
        }
        &'agentb;help;new'= {
            cand skill 'Scaffold `skills/<ID>.md`'
            cand persona 'Scaffold `personas/<ID>.md`'
        }
        &'agentb;help;new;skill'= {
        }
        &'agentb;help;new;persona'= {
        }
        &'agentb;help;erp'= {
            cand serve 'Serve the local store over HTTP: the reference ERP'
            cand org 'Manage the orgs of a local instance'
            cand ping 'Check that an instance is reachable and the key is accepted'
        }
        &'agentb;help;erp;serve'= {
        }
        &'agentb;help;erp;org'= {
            cand add 'Add orgs to a local instance'
            cand list 'List the orgs of an instance'
        }
        &'agentb;help;erp;org;add'= {
        }
        &'agentb;help;erp;org;list'= {
        }
        &'agentb;help;erp;ping'= {
        }
        &'agentb;help;diff'= {
        }
        &'agentb;help;version'= {
            cand bump 'Rewrite a skill''s version (only the version scalar changes in the file)'
            cand check 'Exit 1 when a changed skill''s version bump is smaller than its changes require'
        }
        &'agentb;help;version;bump'= {
        }
        &'agentb;help;version;check'= {
        }
        &'agentb;help;deploy'= {
        }
        &'agentb;help;promote'= {
        }
        &'agentb;help;abort'= {
        }
        &'agentb;help;pin'= {
        }
        &'agentb;help;unpin'= {
        }
        &'agentb;help;rollback'= {
        }
        &'agentb;help;status'= {
        }
        &'agentb;help;history'= {
        }
        &'agentb;help;run'= {
        }
        &'agentb;help;build'= {
            cand skill 'Draft a new skill from a one-sentence description, lint-clean'
            cand form 'Design a FormTemplate for an org and propose it (T2)'
            cand workflow 'Design a chain of ContentTriggers over an org''s existing skills and propose it (T2)'
        }
        &'agentb;help;build;skill'= {
        }
        &'agentb;help;build;form'= {
        }
        &'agentb;help;build;workflow'= {
        }
        &'agentb;help;refine'= {
        }
        &'agentb;help;test'= {
        }
        &'agentb;help;import'= {
        }
        &'agentb;help;export'= {
        }
        &'agentb;help;proposals'= {
            cand list 'List proposals, newest last'
            cand show 'Show one proposal with its input, result and history'
            cand approve 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)'
            cand reject 'Reject a pending or failed proposal'
            cand undo 'Reverse an executed proposal with its recorded compensation'
        }
        &'agentb;help;proposals;list'= {
        }
        &'agentb;help;proposals;show'= {
        }
        &'agentb;help;proposals;approve'= {
        }
        &'agentb;help;proposals;reject'= {
        }
        &'agentb;help;proposals;undo'= {
        }
        &'agentb;help;sessions'= {
            cand list 'List sessions, newest last'
            cand show 'Show one session: its status, usage, proposals and audit log'
        }
        &'agentb;help;sessions;list'= {
        }
        &'agentb;help;sessions;show'= {
        }
        &'agentb;help;completions'= {
        }
        &'agentb;help;generate-docs'= {
        }
        &'agentb;help;help'= {
        }
    ]
    $completions[$command]
}
