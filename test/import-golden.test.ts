// `imagepolicy-mc import` golden cases: test/fixtures/import-*/ (layout and the
// UPDATE=1 switch in test/golden-cli.ts). They pin what a user sees: the
// resources printed for a hand-written MachineConfig (examples/import), for
// plain node files (the quickstart's rendered files), for a reject default with
// allowed registries (the Image config), and the findings for what the APIs
// cannot express, with and without --partial.

import { goldenCliCases } from './golden-cli.ts'

goldenCliCases('import-', 5)
