import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** Copies `text`; the icon turns into a check for a moment so the click is seen. */
export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // no clipboard (plain http on another host): select-and-copy by hand still works
      return;
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1200);
  };
  return (
    <Button variant="outline" size="sm" onClick={() => void copy()} title={text} data-testid={testId} aria-label={`Copy ${label}`}>
      {copied ? <Check /> : <Copy />}
      {label}
    </Button>
  );
}
