# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_agentb_global_optspecs
    string join \n C= config= format= color= q/quiet v/verbose no-input y/yes h/help V/version
end

function __fish_agentb_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_agentb_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_agentb_using_subcommand
    set -l cmd (__fish_agentb_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c agentb -n "__fish_agentb_needs_command" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_needs_command" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_needs_command" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'
sarif\t'SARIF 2.1.0, for code scanning (lint)'
github\t'GitHub Actions workflow commands (lint)'
junit\t'JUnit XML, for CI test reports (test; written to `--out`)'
agent-skills\t'Anthropic\'s Agent Skills folders (export; its report is for people)'"
complete -c agentb -n "__fish_agentb_needs_command" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_needs_command" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_needs_command" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_needs_command" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_needs_command" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_needs_command" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "lint" -d 'Check skills, personas, test files and the config'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "compile" -d 'Lint, then compile skills into deployable artifacts'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "explain" -d 'Explain a lint rule, or list all rules'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "init" -d 'Create `.agentbuilder.toml`, `skills/` and `personas/` in a directory'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "new" -d 'Scaffold a new skill or persona that passes lint'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "erp" -d 'Work with ERP instances: serve the reference ERP, manage local orgs, check reachability'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "diff" -d 'Show the interface changes and the prompt diff of a skill against a deployed version, a kept version or a git revision'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "version" -d 'List skill versions and where they are deployed; bump or check versions'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "deploy" -d 'Deploy compiled skills (and personas) to the orgs of an instance'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "promote" -d 'Send a skill\'s canary version to all remaining orgs, after the failure-rate gate'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "abort" -d 'Return a skill\'s canary orgs to the baseline version'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "pin" -d 'Deploy a kept version of a skill to orgs and keep them there'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "unpin" -d 'Let pinned orgs follow new versions again'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "rollback" -d 'Redeploy the previous (or a named) version of a skill'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "status" -d 'Show what is deployed where; with `--refresh`, check the live records for drift'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "history" -d 'Show the release history of a skill'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "run" -d 'Run a skill on Claude for one org, behind the guard, hooks and proposals'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "build" -d 'Let a built-in builder draft a skill, or design a form or a workflow for an org'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "refine" -d 'Draft an improved version of a skill from feedback or from its failed invocations'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "test" -d 'Run the skills\' test cases (`skills/<id>.test.yaml`) through the real runtime'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "import" -d 'Import Agent Skills folders (`SKILL.md`) as agentb skills'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "export" -d 'Export skills as Agent Skills folders that the official validator accepts'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "proposals" -d 'List, show, approve, reject or undo the proposals of runs'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "sessions" -d 'List or show run sessions'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "generate-docs" -d 'Write the man pages and completion scripts into a directory'
complete -c agentb -n "__fish_agentb_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand lint" -l deny -d 'Treat these rules (codes, names, or `warnings`) as errors' -r
complete -c agentb -n "__fish_agentb_using_subcommand lint" -l allow -d 'Silence these rules (codes or names)' -r
complete -c agentb -n "__fish_agentb_using_subcommand lint" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'
sarif\t'SARIF 2.1.0, for code scanning (lint)'
github\t'GitHub Actions workflow commands (lint)'"
complete -c agentb -n "__fish_agentb_using_subcommand lint" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand lint" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand lint" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand lint" -l fix -d 'Apply the fixes that cannot change meaning, and report them'
complete -c agentb -n "__fish_agentb_using_subcommand lint" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand lint" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand lint" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand lint" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand lint" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand compile" -l out -d 'Directory for the artifacts [default: .agentbuilder/cache/compiled]' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand compile" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand compile" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand compile" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand compile" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand compile" -l check -d 'Write nothing; exit 1 if any artifact would change'
complete -c agentb -n "__fish_agentb_using_subcommand compile" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand compile" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand compile" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand compile" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand compile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand compile" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand explain" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand explain" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand explain" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand explain" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand explain" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand explain" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand explain" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand explain" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand explain" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand init" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand init" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand init" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand init" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand init" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand init" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand init" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand init" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand init" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -f -a "skill" -d 'Scaffold `skills/<ID>.md`'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -f -a "persona" -d 'Scaffold `personas/<ID>.md`'
complete -c agentb -n "__fish_agentb_using_subcommand new; and not __fish_seen_subcommand_from skill persona help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l category -d 'Category, e.g. `briefs`' -r
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l description -d 'One-sentence description' -r
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l trigger -d 'Trigger events (snake_case), repeatable' -r
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l input -d 'Inputs as `name:type` or `name:type!` for required, repeatable' -r
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l output -d 'Outputs as `name:type`, repeatable' -r
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l permission -d 'Permissions as `resource:action`, repeatable' -r
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l force -d 'Overwrite an existing file'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from skill" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -l name -d 'Display name' -r
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -l allow-skill -d 'Skills the persona may use, repeatable' -r
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -l force -d 'Overwrite an existing file'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from persona" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "skill" -d 'Scaffold `skills/<ID>.md`'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "persona" -d 'Scaffold `personas/<ID>.md`'
complete -c agentb -n "__fish_agentb_using_subcommand new; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -f -a "serve" -d 'Serve the local store over HTTP: the reference ERP'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -f -a "org" -d 'Manage the orgs of a local instance'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -f -a "ping" -d 'Check that an instance is reachable and the key is accepted'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and not __fish_seen_subcommand_from serve org ping help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -l addr -d 'Address to listen on (port 0 picks a free port)' -r
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -l db -d 'SQLite database [default: .agentbuilder/local/erp.sqlite]' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'"
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -l insecure-dev -d 'Serve without a key (loopback addresses only)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -l create -d 'Create the `--db` database when it does not exist'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -f -a "add" -d 'Add orgs to a local instance'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -f -a "list" -d 'List the orgs of an instance'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from org" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -l org -d 'Org to authenticate as [default: the instance\'s first org]' -r
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from ping" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the local store over HTTP: the reference ERP'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from help" -f -a "org" -d 'Manage the orgs of a local instance'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from help" -f -a "ping" -d 'Check that an instance is reachable and the key is accepted'
complete -c agentb -n "__fish_agentb_using_subcommand erp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand diff" -l against -d 'What to compare with: `deployed`, a version kept in the release store, or a git revision' -r
complete -c agentb -n "__fish_agentb_using_subcommand diff" -l org -d 'With `--against deployed`: the version deployed to this org [default: the newest deployed]' -r
complete -c agentb -n "__fish_agentb_using_subcommand diff" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand diff" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand diff" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand diff" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand diff" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand diff" -l exit-code -d 'Exit 1 when anything differs'
complete -c agentb -n "__fish_agentb_using_subcommand diff" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand diff" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand diff" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand diff" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand diff" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -f -a "bump" -d 'Rewrite a skill\'s version (only the version scalar changes in the file)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -f -a "check" -d 'Exit 1 when a changed skill\'s version bump is smaller than its changes require'
complete -c agentb -n "__fish_agentb_using_subcommand version; and not __fish_seen_subcommand_from bump check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -l against -d 'With `auto`: compare with this instead of the deployed version (as in `agentb diff`)' -r
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from bump" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -l against -d 'Compare with `deployed` (the newest deployed version) or a git revision, e.g. `origin/main`' -r
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from help" -f -a "bump" -d 'Rewrite a skill\'s version (only the version scalar changes in the file)'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from help" -f -a "check" -d 'Exit 1 when a changed skill\'s version bump is smaller than its changes require'
complete -c agentb -n "__fish_agentb_using_subcommand version; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l org -d 'Only these orgs (repeatable) [default: every org of the instance]' -r
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l canary -d 'Deploy only to the orgs whose canary bucket is below PCT (e.g. `10%`, `2.5`)' -r
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l concurrency -d 'Orgs written at once [default: `deploy.concurrency`, 16]' -r
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l all-orgs -d 'Every org of the instance (the default)'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l plan -d 'Show the plan and stop'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l exit-code -d 'With `--plan`: exit 1 when the plan has changes'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand deploy" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand promote" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand promote" -l concurrency -d 'Orgs written at once [default: `deploy.concurrency`, 16]' -r
complete -c agentb -n "__fish_agentb_using_subcommand promote" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand promote" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand promote" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand promote" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand promote" -l force -d 'Skip the failure-rate gate'
complete -c agentb -n "__fish_agentb_using_subcommand promote" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand promote" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand promote" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand promote" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand promote" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand promote" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand abort" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand abort" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand abort" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand abort" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand abort" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand abort" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand abort" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand abort" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand abort" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand abort" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand abort" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand pin" -l org -d 'The orgs to pin (repeatable)' -r
complete -c agentb -n "__fish_agentb_using_subcommand pin" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand pin" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand pin" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand pin" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand pin" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand pin" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand pin" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand pin" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand pin" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand pin" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand pin" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -l org -d 'The orgs to unpin (repeatable)' -r
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand unpin" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -l org -d 'Only these orgs (repeatable) [default: every org of the instance]' -r
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -l to -d 'Roll back to this kept version [default: each org\'s previous version]' -r
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -l all-orgs -d 'Every org of the instance (the default)'
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand status" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand status" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand status" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand status" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand status" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand status" -l refresh -d 'Read the live records and report drift (exit 1 when there is any)'
complete -c agentb -n "__fish_agentb_using_subcommand status" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand status" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand status" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand status" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand status" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand history" -l org -d 'Only this org\'s history' -r
complete -c agentb -n "__fish_agentb_using_subcommand history" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand history" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand history" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand history" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand history" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand history" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand history" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand history" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand history" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand history" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand run" -l org -d 'The org to run for; every ERP call is scoped to it' -r
complete -c agentb -n "__fish_agentb_using_subcommand run" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand run" -l persona -d 'Run as this persona (its prompt comes first; it must allow the skill)' -r
complete -c agentb -n "__fish_agentb_using_subcommand run" -l input -d 'An input as `key=value` (a JSON value, else a string), repeatable' -r
complete -c agentb -n "__fish_agentb_using_subcommand run" -l input-file -d 'Read the input from a JSON file (`--input` values override its keys)' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand run" -l model -d 'The Claude model [default: the persona\'s, else `claude.model`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand run" -l approve -d 'Confirm T2 (`t2`) or T2 and T3 (`t3`) calls without asking' -r -f -a "t2\t'Confirm T2 (soft-confirm) calls'
t3\t'Confirm T2 and T3 (hard-confirm) calls'"
complete -c agentb -n "__fish_agentb_using_subcommand run" -l resume -d 'Continue this session (its pending T2 proposals are soft-confirmed within their window)' -r
complete -c agentb -n "__fish_agentb_using_subcommand run" -l message -d 'With `--resume`: the next user message' -r
complete -c agentb -n "__fish_agentb_using_subcommand run" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand run" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand run" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand run" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand run" -l source -d 'Run the working copy (compiled if needed) and the project\'s persona file, not the version deployed to the org'
complete -c agentb -n "__fish_agentb_using_subcommand run" -l dry-run -d 'Print the exact request that would be sent (and, on stderr, the version that would run), and stop'
complete -c agentb -n "__fish_agentb_using_subcommand run" -l reject -d 'With `--resume`: reject the pending proposals instead of soft-confirming them'
complete -c agentb -n "__fish_agentb_using_subcommand run" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand run" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand run" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand run" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand run" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -f -a "skill" -d 'Draft a new skill from a one-sentence description, lint-clean'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -f -a "form" -d 'Design a FormTemplate for an org and propose it (T2)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -f -a "workflow" -d 'Design a chain of ContentTriggers over an org\'s existing skills and propose it (T2)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and not __fish_seen_subcommand_from skill form workflow help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -l id -d 'The new skill\'s id [default: the model picks a new one]' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -l rounds -d 'At most this many drafts' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -l model -d 'The Claude model [default: `claude.model`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from skill" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -l org -d 'The org to design for; every ERP call is scoped to it' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -l model -d 'The Claude model [default: `claude.model`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -l approve -d 'Confirm the T2 proposals (`t2`), or T2 and T3 (`t3`), without asking' -r -f -a "t2\t'Confirm T2 (soft-confirm) calls'
t3\t'Confirm T2 and T3 (hard-confirm) calls'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from form" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -l org -d 'The org to design for; every ERP call is scoped to it' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -l instance -d 'Instance name from the config [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -l model -d 'The Claude model [default: `claude.model`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -l approve -d 'Confirm the T2 proposals (`t2`), or T2 and T3 (`t3`), without asking' -r -f -a "t2\t'Confirm T2 (soft-confirm) calls'
t3\t'Confirm T2 and T3 (hard-confirm) calls'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from workflow" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from help" -f -a "skill" -d 'Draft a new skill from a one-sentence description, lint-clean'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from help" -f -a "form" -d 'Design a FormTemplate for an org and propose it (T2)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from help" -f -a "workflow" -d 'Design a chain of ContentTriggers over an org\'s existing skills and propose it (T2)'
complete -c agentb -n "__fish_agentb_using_subcommand build; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l feedback -d 'What to improve, in words' -r
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l org -d 'With `--from-invocations`: the org whose invocations to read' -r
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l since -d 'With `--from-invocations`: how far back to look' -r
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l instance -d 'With `--from-invocations`: the instance [default: `erp.default`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l rounds -d 'At most this many drafts' -r
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l model -d 'The Claude model [default: `claude.model`]' -r
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand refine" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l from-invocations -d 'Learn from the org\'s failed invocations of the skill (input, error, output)'
complete -c agentb -n "__fish_agentb_using_subcommand refine" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand refine" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand refine" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand refine" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand refine" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand refine" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand test" -l mode -d 'Where the model\'s answers come from' -r -f -a "replay\t'From the case\'s cassette; never opens a network connection'
record\t'From the real API; the case\'s cassette is replaced'
live\t'From the real API; nothing is written'"
complete -c agentb -n "__fish_agentb_using_subcommand test" -s j -l jobs -d 'Cases to run at once [default: the number of cores]' -r
complete -c agentb -n "__fish_agentb_using_subcommand test" -l out -d 'Write the report (`--format json` or `junit`) to this file instead of stdout' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand test" -l filter -d 'Run only the cases whose name contains this text' -r
complete -c agentb -n "__fish_agentb_using_subcommand test" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'
junit\t'JUnit XML, for CI test reports (test; written to `--out`)'"
complete -c agentb -n "__fish_agentb_using_subcommand test" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand test" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand test" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand test" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand test" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand test" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand test" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand test" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand import" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand import" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand import" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand import" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand import" -l force -d 'Overwrite existing skill files and their bundled-file folders'
complete -c agentb -n "__fish_agentb_using_subcommand import" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand import" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand import" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand import" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand import" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand export" -l out -d 'The folder to write the skill folders into' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand export" -l format -d 'Output format of the command\'s report' -r -f -a "agent-skills\t'Anthropic\'s Agent Skills folders (export; its report is for people)'
human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand export" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand export" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand export" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand export" -l force -d 'Replace existing exported skill folders'
complete -c agentb -n "__fish_agentb_using_subcommand export" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand export" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand export" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand export" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand export" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -f -a "list" -d 'List proposals, newest last'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -f -a "show" -d 'Show one proposal with its input, result and history'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -f -a "approve" -d 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -f -a "reject" -d 'Reject a pending or failed proposal'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -f -a "undo" -d 'Reverse an executed proposal with its recorded compensation'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject undo help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -l session -d 'Only this session\'s proposals' -r
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -l state -d 'Only proposals in this state (`pending`, `executed`, …)' -r
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -l instance -d 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones' -r
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -l instance -d 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones' -r
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l instance -d 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones' -r
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l instance -d 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones' -r
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -l instance -d 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones' -r
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from undo" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "list" -d 'List proposals, newest last'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one proposal with its input, result and history'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "reject" -d 'Reject a pending or failed proposal'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "undo" -d 'Reverse an executed proposal with its recorded compensation'
complete -c agentb -n "__fish_agentb_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'List sessions, newest last'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'Show one session: its status, usage, proposals and audit log'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -l instance -d 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones' -r
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -l instance -d 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones' -r
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'
json\t'One machine-readable JSON document'"
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "list" -d 'List sessions, newest last'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one session: its status, usage, proposals and audit log'
complete -c agentb -n "__fish_agentb_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand completions" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'"
complete -c agentb -n "__fish_agentb_using_subcommand completions" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand completions" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand completions" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand completions" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand completions" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand completions" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand completions" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand completions" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -l format -d 'Output format of the command\'s report' -r -f -a "human\t'Text for people, with colors on a terminal'"
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -s C -d 'Run as if agentb was started in DIR' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -l config -d 'Use this config file instead of searching for `.agentbuilder.toml`' -r -F
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -l color -d 'When to use colors' -r -f -a "auto\t'Color when writing to a terminal and `NO_COLOR` is not set'
always\t'Always color'
never\t'Never color'"
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -s q -l quiet -d 'Print only errors and data'
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -s v -l verbose -d 'Log more to stderr (-v info, -vv debug, -vvv trace)'
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -l no-input -d 'Never prompt (implied when stdin is not a terminal or `CI` is set)'
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -s y -l yes -d 'Answer yes to confirmations (never approves T3 tool calls)'
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentb -n "__fish_agentb_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "lint" -d 'Check skills, personas, test files and the config'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "compile" -d 'Lint, then compile skills into deployable artifacts'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "explain" -d 'Explain a lint rule, or list all rules'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "init" -d 'Create `.agentbuilder.toml`, `skills/` and `personas/` in a directory'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "new" -d 'Scaffold a new skill or persona that passes lint'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "erp" -d 'Work with ERP instances: serve the reference ERP, manage local orgs, check reachability'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "diff" -d 'Show the interface changes and the prompt diff of a skill against a deployed version, a kept version or a git revision'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "version" -d 'List skill versions and where they are deployed; bump or check versions'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "deploy" -d 'Deploy compiled skills (and personas) to the orgs of an instance'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "promote" -d 'Send a skill\'s canary version to all remaining orgs, after the failure-rate gate'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "abort" -d 'Return a skill\'s canary orgs to the baseline version'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "pin" -d 'Deploy a kept version of a skill to orgs and keep them there'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "unpin" -d 'Let pinned orgs follow new versions again'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "rollback" -d 'Redeploy the previous (or a named) version of a skill'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "status" -d 'Show what is deployed where; with `--refresh`, check the live records for drift'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "history" -d 'Show the release history of a skill'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "run" -d 'Run a skill on Claude for one org, behind the guard, hooks and proposals'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "build" -d 'Let a built-in builder draft a skill, or design a form or a workflow for an org'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "refine" -d 'Draft an improved version of a skill from feedback or from its failed invocations'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "test" -d 'Run the skills\' test cases (`skills/<id>.test.yaml`) through the real runtime'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "import" -d 'Import Agent Skills folders (`SKILL.md`) as agentb skills'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "export" -d 'Export skills as Agent Skills folders that the official validator accepts'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "proposals" -d 'List, show, approve, reject or undo the proposals of runs'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "sessions" -d 'List or show run sessions'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "completions" -d 'Print a shell completion script'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "generate-docs" -d 'Write the man pages and completion scripts into a directory'
complete -c agentb -n "__fish_agentb_using_subcommand help; and not __fish_seen_subcommand_from lint compile explain init new erp diff version deploy promote abort pin unpin rollback status history run build refine test import export proposals sessions completions generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "skill" -d 'Scaffold `skills/<ID>.md`'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from new" -f -a "persona" -d 'Scaffold `personas/<ID>.md`'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from erp" -f -a "serve" -d 'Serve the local store over HTTP: the reference ERP'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from erp" -f -a "org" -d 'Manage the orgs of a local instance'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from erp" -f -a "ping" -d 'Check that an instance is reachable and the key is accepted'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from version" -f -a "bump" -d 'Rewrite a skill\'s version (only the version scalar changes in the file)'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from version" -f -a "check" -d 'Exit 1 when a changed skill\'s version bump is smaller than its changes require'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from build" -f -a "skill" -d 'Draft a new skill from a one-sentence description, lint-clean'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from build" -f -a "form" -d 'Design a FormTemplate for an org and propose it (T2)'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from build" -f -a "workflow" -d 'Design a chain of ContentTriggers over an org\'s existing skills and propose it (T2)'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "list" -d 'List proposals, newest last'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "show" -d 'Show one proposal with its input, result and history'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "approve" -d 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "reject" -d 'Reject a pending or failed proposal'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "undo" -d 'Reverse an executed proposal with its recorded compensation'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "list" -d 'List sessions, newest last'
complete -c agentb -n "__fish_agentb_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "show" -d 'Show one session: its status, usage, proposals and audit log'
