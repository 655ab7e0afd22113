import { Command } from 'commander';
import { runReport } from '../../run/report.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('re-render the charts and report.html of a train or bench report folder')
    .argument('<run-dir>', 'a folder under reports/ written by ncf train or ncf bench')
    .action(async (dir: string) => {
      const r = await runReport(dir);
      console.log(r.html);
    });
}
