
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'agentb' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'agentb'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'agentb' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check skills, personas, test files and the config')
            [CompletionResult]::new('compile', 'compile', [CompletionResultType]::ParameterValue, 'Lint, then compile skills into deployable artifacts')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a lint rule, or list all rules')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create `.agentbuilder.toml`, `skills/` and `personas/` in a directory')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Scaffold a new skill or persona that passes lint')
            [CompletionResult]::new('erp', 'erp', [CompletionResultType]::ParameterValue, 'Work with ERP instances: serve the reference ERP, manage local orgs, check reachability')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the interface changes and the prompt diff of a skill against a deployed version, a kept version or a git revision')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'List skill versions and where they are deployed; bump or check versions')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Deploy compiled skills (and personas) to the orgs of an instance')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Send a skill''s canary version to all remaining orgs, after the failure-rate gate')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Return a skill''s canary orgs to the baseline version')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Deploy a kept version of a skill to orgs and keep them there')
            [CompletionResult]::new('unpin', 'unpin', [CompletionResultType]::ParameterValue, 'Let pinned orgs follow new versions again')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Redeploy the previous (or a named) version of a skill')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what is deployed where; with `--refresh`, check the live records for drift')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the release history of a skill')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a skill on Claude for one org, behind the guard, hooks and proposals')
            [CompletionResult]::new('build', 'build', [CompletionResultType]::ParameterValue, 'Let a built-in builder draft a skill, or design a form or a workflow for an org')
            [CompletionResult]::new('refine', 'refine', [CompletionResultType]::ParameterValue, 'Draft an improved version of a skill from feedback or from its failed invocations')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the skills'' test cases (`skills/<id>.test.yaml`) through the real runtime')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import Agent Skills folders (`SKILL.md`) as agentb skills')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export skills as Agent Skills folders that the official validator accepts')
            [CompletionResult]::new('proposals', 'proposals', [CompletionResultType]::ParameterValue, 'List, show, approve, reject or undo the proposals of runs')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List or show run sessions')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and completion scripts into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;lint' {
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Treat these rules (codes, names, or `warnings`) as errors')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Silence these rules (codes or names)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Apply the fixes that cannot change meaning, and report them')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;compile' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory for the artifacts [default: .agentbuilder/cache/compiled]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Write nothing; exit 1 if any artifact would change')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;explain' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;init' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;new' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('skill', 'skill', [CompletionResultType]::ParameterValue, 'Scaffold `skills/<ID>.md`')
            [CompletionResult]::new('persona', 'persona', [CompletionResultType]::ParameterValue, 'Scaffold `personas/<ID>.md`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;new;skill' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Category, e.g. `briefs`')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'One-sentence description')
            [CompletionResult]::new('--trigger', '--trigger', [CompletionResultType]::ParameterName, 'Trigger events (snake_case), repeatable')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Inputs as `name:type` or `name:type!` for required, repeatable')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Outputs as `name:type`, repeatable')
            [CompletionResult]::new('--permission', '--permission', [CompletionResultType]::ParameterName, 'Permissions as `resource:action`, repeatable')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;new;persona' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Display name')
            [CompletionResult]::new('--allow-skill', '--allow-skill', [CompletionResultType]::ParameterName, 'Skills the persona may use, repeatable')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;new;help' {
            [CompletionResult]::new('skill', 'skill', [CompletionResultType]::ParameterValue, 'Scaffold `skills/<ID>.md`')
            [CompletionResult]::new('persona', 'persona', [CompletionResultType]::ParameterValue, 'Scaffold `personas/<ID>.md`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;new;help;skill' {
            break
        }
        'agentb;new;help;persona' {
            break
        }
        'agentb;new;help;help' {
            break
        }
        'agentb;erp' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the local store over HTTP: the reference ERP')
            [CompletionResult]::new('org', 'org', [CompletionResultType]::ParameterValue, 'Manage the orgs of a local instance')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Check that an instance is reachable and the key is accepted')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;erp;serve' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free port)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database [default: .agentbuilder/local/erp.sqlite]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--insecure-dev', '--insecure-dev', [CompletionResultType]::ParameterName, 'Serve without a key (loopback addresses only)')
            [CompletionResult]::new('--create', '--create', [CompletionResultType]::ParameterName, 'Create the `--db` database when it does not exist')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;erp;org' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add orgs to a local instance')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the orgs of an instance')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;erp;org;add' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Display name [default: the id] (one org only)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Use this SQLite database instead of the instance''s')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;erp;org;list' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Read this SQLite database instead of the instance')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;erp;org;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add orgs to a local instance')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the orgs of an instance')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;erp;org;help;add' {
            break
        }
        'agentb;erp;org;help;list' {
            break
        }
        'agentb;erp;org;help;help' {
            break
        }
        'agentb;erp;ping' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Org to authenticate as [default: the instance''s first org]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;erp;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the local store over HTTP: the reference ERP')
            [CompletionResult]::new('org', 'org', [CompletionResultType]::ParameterValue, 'Manage the orgs of a local instance')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Check that an instance is reachable and the key is accepted')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;erp;help;serve' {
            break
        }
        'agentb;erp;help;org' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add orgs to a local instance')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the orgs of an instance')
            break
        }
        'agentb;erp;help;org;add' {
            break
        }
        'agentb;erp;help;org;list' {
            break
        }
        'agentb;erp;help;ping' {
            break
        }
        'agentb;erp;help;help' {
            break
        }
        'agentb;diff' {
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'What to compare with: `deployed`, a version kept in the release store, or a git revision')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'With `--against deployed`: the version deployed to this org [default: the newest deployed]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit 1 when anything differs')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;version' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('bump', 'bump', [CompletionResultType]::ParameterValue, 'Rewrite a skill''s version (only the version scalar changes in the file)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Exit 1 when a changed skill''s version bump is smaller than its changes require')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;version;bump' {
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'With `auto`: compare with this instead of the deployed version (as in `agentb diff`)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;version;check' {
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Compare with `deployed` (the newest deployed version) or a git revision, e.g. `origin/main`')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;version;help' {
            [CompletionResult]::new('bump', 'bump', [CompletionResultType]::ParameterValue, 'Rewrite a skill''s version (only the version scalar changes in the file)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Exit 1 when a changed skill''s version bump is smaller than its changes require')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;version;help;bump' {
            break
        }
        'agentb;version;help;check' {
            break
        }
        'agentb;version;help;help' {
            break
        }
        'agentb;deploy' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Only these orgs (repeatable) [default: every org of the instance]')
            [CompletionResult]::new('--canary', '--canary', [CompletionResultType]::ParameterName, 'Deploy only to the orgs whose canary bucket is below PCT (e.g. `10%`, `2.5`)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Orgs written at once [default: `deploy.concurrency`, 16]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--all-orgs', '--all-orgs', [CompletionResultType]::ParameterName, 'Every org of the instance (the default)')
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'Show the plan and stop')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'With `--plan`: exit 1 when the plan has changes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;promote' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Orgs written at once [default: `deploy.concurrency`, 16]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the failure-rate gate')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;abort' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;pin' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The orgs to pin (repeatable)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;unpin' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The orgs to unpin (repeatable)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;rollback' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Only these orgs (repeatable) [default: every org of the instance]')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Roll back to this kept version [default: each org''s previous version]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--all-orgs', '--all-orgs', [CompletionResultType]::ParameterName, 'Every org of the instance (the default)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;status' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Read the live records and report drift (exit 1 when there is any)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;history' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Only this org''s history')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;run' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org to run for; every ERP call is scoped to it')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--persona', '--persona', [CompletionResultType]::ParameterName, 'Run as this persona (its prompt comes first; it must allow the skill)')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'An input as `key=value` (a JSON value, else a string), repeatable')
            [CompletionResult]::new('--input-file', '--input-file', [CompletionResultType]::ParameterName, 'Read the input from a JSON file (`--input` values override its keys)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The Claude model [default: the persona''s, else `claude.model`]')
            [CompletionResult]::new('--approve', '--approve', [CompletionResultType]::ParameterName, 'Confirm T2 (`t2`) or T2 and T3 (`t3`) calls without asking')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Continue this session (its pending T2 proposals are soft-confirmed within their window)')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'With `--resume`: the next user message')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Run the working copy (compiled if needed) and the project''s persona file, not the version deployed to the org')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the exact request that would be sent (and, on stderr, the version that would run), and stop')
            [CompletionResult]::new('--reject', '--reject', [CompletionResultType]::ParameterName, 'With `--resume`: reject the pending proposals instead of soft-confirming them')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;build' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('skill', 'skill', [CompletionResultType]::ParameterValue, 'Draft a new skill from a one-sentence description, lint-clean')
            [CompletionResult]::new('form', 'form', [CompletionResultType]::ParameterValue, 'Design a FormTemplate for an org and propose it (T2)')
            [CompletionResult]::new('workflow', 'workflow', [CompletionResultType]::ParameterValue, 'Design a chain of ContentTriggers over an org''s existing skills and propose it (T2)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;build;skill' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The new skill''s id [default: the model picks a new one]')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'At most this many drafts')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The Claude model [default: `claude.model`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;build;form' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org to design for; every ERP call is scoped to it')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The Claude model [default: `claude.model`]')
            [CompletionResult]::new('--approve', '--approve', [CompletionResultType]::ParameterName, 'Confirm the T2 proposals (`t2`), or T2 and T3 (`t3`), without asking')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;build;workflow' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The org to design for; every ERP call is scoped to it')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance name from the config [default: `erp.default`]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The Claude model [default: `claude.model`]')
            [CompletionResult]::new('--approve', '--approve', [CompletionResultType]::ParameterName, 'Confirm the T2 proposals (`t2`), or T2 and T3 (`t3`), without asking')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;build;help' {
            [CompletionResult]::new('skill', 'skill', [CompletionResultType]::ParameterValue, 'Draft a new skill from a one-sentence description, lint-clean')
            [CompletionResult]::new('form', 'form', [CompletionResultType]::ParameterValue, 'Design a FormTemplate for an org and propose it (T2)')
            [CompletionResult]::new('workflow', 'workflow', [CompletionResultType]::ParameterValue, 'Design a chain of ContentTriggers over an org''s existing skills and propose it (T2)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;build;help;skill' {
            break
        }
        'agentb;build;help;form' {
            break
        }
        'agentb;build;help;workflow' {
            break
        }
        'agentb;build;help;help' {
            break
        }
        'agentb;refine' {
            [CompletionResult]::new('--feedback', '--feedback', [CompletionResultType]::ParameterName, 'What to improve, in words')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'With `--from-invocations`: the org whose invocations to read')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With `--from-invocations`: how far back to look')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'With `--from-invocations`: the instance [default: `erp.default`]')
            [CompletionResult]::new('--rounds', '--rounds', [CompletionResultType]::ParameterName, 'At most this many drafts')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The Claude model [default: `claude.model`]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--from-invocations', '--from-invocations', [CompletionResultType]::ParameterName, 'Learn from the org''s failed invocations of the skill (input, error, output)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;test' {
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Where the model''s answers come from')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Cases to run at once [default: the number of cores]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Cases to run at once [default: the number of cores]')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the report (`--format json` or `junit`) to this file instead of stdout')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Run only the cases whose name contains this text')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;import' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite existing skill files and their bundled-file folders')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;export' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The folder to write the skill folders into')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace existing exported skill folders')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;proposals' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List proposals, newest last')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one proposal with its input, result and history')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject a pending or failed proposal')
            [CompletionResult]::new('undo', 'undo', [CompletionResultType]::ParameterValue, 'Reverse an executed proposal with its recorded compensation')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;proposals;list' {
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Only this session''s proposals')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only proposals in this state (`pending`, `executed`, …)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;proposals;show' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;proposals;approve' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;proposals;reject' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;proposals;undo' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;proposals;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List proposals, newest last')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one proposal with its input, result and history')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject a pending or failed proposal')
            [CompletionResult]::new('undo', 'undo', [CompletionResultType]::ParameterValue, 'Reverse an executed proposal with its recorded compensation')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;proposals;help;list' {
            break
        }
        'agentb;proposals;help;show' {
            break
        }
        'agentb;proposals;help;approve' {
            break
        }
        'agentb;proposals;help;reject' {
            break
        }
        'agentb;proposals;help;undo' {
            break
        }
        'agentb;proposals;help;help' {
            break
        }
        'agentb;sessions' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List sessions, newest last')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one session: its status, usage, proposals and audit log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;sessions;list' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;sessions;show' {
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'The instance whose sessions and proposals to use [default: `erp.default`]; an http instance keeps them in the ERP, so every machine with the key sees the same ones')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;sessions;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List sessions, newest last')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one session: its status, usage, proposals and audit log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;sessions;help;list' {
            break
        }
        'agentb;sessions;help;show' {
            break
        }
        'agentb;sessions;help;help' {
            break
        }
        'agentb;completions' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;generate-docs' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the command''s report')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if agentb was started in DIR')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this config file instead of searching for `.agentbuilder.toml`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt (implied when stdin is not a terminal or `CI` is set)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (never approves T3 tool calls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentb;help' {
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check skills, personas, test files and the config')
            [CompletionResult]::new('compile', 'compile', [CompletionResultType]::ParameterValue, 'Lint, then compile skills into deployable artifacts')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a lint rule, or list all rules')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create `.agentbuilder.toml`, `skills/` and `personas/` in a directory')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Scaffold a new skill or persona that passes lint')
            [CompletionResult]::new('erp', 'erp', [CompletionResultType]::ParameterValue, 'Work with ERP instances: serve the reference ERP, manage local orgs, check reachability')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the interface changes and the prompt diff of a skill against a deployed version, a kept version or a git revision')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'List skill versions and where they are deployed; bump or check versions')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Deploy compiled skills (and personas) to the orgs of an instance')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Send a skill''s canary version to all remaining orgs, after the failure-rate gate')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Return a skill''s canary orgs to the baseline version')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Deploy a kept version of a skill to orgs and keep them there')
            [CompletionResult]::new('unpin', 'unpin', [CompletionResultType]::ParameterValue, 'Let pinned orgs follow new versions again')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Redeploy the previous (or a named) version of a skill')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what is deployed where; with `--refresh`, check the live records for drift')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the release history of a skill')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a skill on Claude for one org, behind the guard, hooks and proposals')
            [CompletionResult]::new('build', 'build', [CompletionResultType]::ParameterValue, 'Let a built-in builder draft a skill, or design a form or a workflow for an org')
            [CompletionResult]::new('refine', 'refine', [CompletionResultType]::ParameterValue, 'Draft an improved version of a skill from feedback or from its failed invocations')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the skills'' test cases (`skills/<id>.test.yaml`) through the real runtime')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import Agent Skills folders (`SKILL.md`) as agentb skills')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export skills as Agent Skills folders that the official validator accepts')
            [CompletionResult]::new('proposals', 'proposals', [CompletionResultType]::ParameterValue, 'List, show, approve, reject or undo the proposals of runs')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List or show run sessions')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and completion scripts into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentb;help;lint' {
            break
        }
        'agentb;help;compile' {
            break
        }
        'agentb;help;explain' {
            break
        }
        'agentb;help;init' {
            break
        }
        'agentb;help;new' {
            [CompletionResult]::new('skill', 'skill', [CompletionResultType]::ParameterValue, 'Scaffold `skills/<ID>.md`')
            [CompletionResult]::new('persona', 'persona', [CompletionResultType]::ParameterValue, 'Scaffold `personas/<ID>.md`')
            break
        }
        'agentb;help;new;skill' {
            break
        }
        'agentb;help;new;persona' {
            break
        }
        'agentb;help;erp' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the local store over HTTP: the reference ERP')
            [CompletionResult]::new('org', 'org', [CompletionResultType]::ParameterValue, 'Manage the orgs of a local instance')
            [CompletionResult]::new('ping', 'ping', [CompletionResultType]::ParameterValue, 'Check that an instance is reachable and the key is accepted')
            break
        }
        'agentb;help;erp;serve' {
            break
        }
        'agentb;help;erp;org' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add orgs to a local instance')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the orgs of an instance')
            break
        }
        'agentb;help;erp;org;add' {
            break
        }
        'agentb;help;erp;org;list' {
            break
        }
        'agentb;help;erp;ping' {
            break
        }
        'agentb;help;diff' {
            break
        }
        'agentb;help;version' {
            [CompletionResult]::new('bump', 'bump', [CompletionResultType]::ParameterValue, 'Rewrite a skill''s version (only the version scalar changes in the file)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Exit 1 when a changed skill''s version bump is smaller than its changes require')
            break
        }
        'agentb;help;version;bump' {
            break
        }
        'agentb;help;version;check' {
            break
        }
        'agentb;help;deploy' {
            break
        }
        'agentb;help;promote' {
            break
        }
        'agentb;help;abort' {
            break
        }
        'agentb;help;pin' {
            break
        }
        'agentb;help;unpin' {
            break
        }
        'agentb;help;rollback' {
            break
        }
        'agentb;help;status' {
            break
        }
        'agentb;help;history' {
            break
        }
        'agentb;help;run' {
            break
        }
        'agentb;help;build' {
            [CompletionResult]::new('skill', 'skill', [CompletionResultType]::ParameterValue, 'Draft a new skill from a one-sentence description, lint-clean')
            [CompletionResult]::new('form', 'form', [CompletionResultType]::ParameterValue, 'Design a FormTemplate for an org and propose it (T2)')
            [CompletionResult]::new('workflow', 'workflow', [CompletionResultType]::ParameterValue, 'Design a chain of ContentTriggers over an org''s existing skills and propose it (T2)')
            break
        }
        'agentb;help;build;skill' {
            break
        }
        'agentb;help;build;form' {
            break
        }
        'agentb;help;build;workflow' {
            break
        }
        'agentb;help;refine' {
            break
        }
        'agentb;help;test' {
            break
        }
        'agentb;help;import' {
            break
        }
        'agentb;help;export' {
            break
        }
        'agentb;help;proposals' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List proposals, newest last')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one proposal with its input, result and history')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Confirm a pending (or failed: a retry) proposal and execute it (exactly once)')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject a pending or failed proposal')
            [CompletionResult]::new('undo', 'undo', [CompletionResultType]::ParameterValue, 'Reverse an executed proposal with its recorded compensation')
            break
        }
        'agentb;help;proposals;list' {
            break
        }
        'agentb;help;proposals;show' {
            break
        }
        'agentb;help;proposals;approve' {
            break
        }
        'agentb;help;proposals;reject' {
            break
        }
        'agentb;help;proposals;undo' {
            break
        }
        'agentb;help;sessions' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List sessions, newest last')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one session: its status, usage, proposals and audit log')
            break
        }
        'agentb;help;sessions;list' {
            break
        }
        'agentb;help;sessions;show' {
            break
        }
        'agentb;help;completions' {
            break
        }
        'agentb;help;generate-docs' {
            break
        }
        'agentb;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
