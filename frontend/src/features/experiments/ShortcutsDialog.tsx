/** The `?` dialog: every key of the experiments page (from `SHORTCUTS`, so the list is what the keys do). */
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { SHORTCUTS } from "./keyboard";

const SHOWN: Record<string, string> = { ArrowDown: "↓", ArrowUp: "↑", Enter: "enter" };

export function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid="shortcuts-dialog">
        <DialogTitle>Keyboard shortcuts</DialogTitle>
        <DialogDescription>On the experiments table; not while typing in a field (Escape leaves it).</DialogDescription>
        <table className="w-full text-sm">
          <tbody>
            {SHORTCUTS.map((shortcut) => (
              <tr key={shortcut.action} data-testid="shortcut" data-action={shortcut.action} className="border-b border-border last:border-0">
                <td className="py-1.5 pr-4 whitespace-nowrap">
                  {shortcut.keys.map((key, i) => (
                    <span key={key}>
                      {i > 0 && <span className="px-1 text-muted-foreground">or</span>}
                      <kbd className="rounded border border-border bg-muted px-1.5 py-0.5 font-mono text-xs">{SHOWN[key] ?? key}</kbd>
                    </span>
                  ))}
                </td>
                <td className="py-1.5 text-muted-foreground">{shortcut.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </DialogContent>
    </Dialog>
  );
}
