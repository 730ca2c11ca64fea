/** A sentence furu wrote ("field `scale` added with default 1"), its `quoted` parts as code. */
export function Words({ text }: { text: string }) {
  const parts = text.split("`");
  if (parts.length % 2 === 0) return <>{text}</>; // an unpaired backtick: the text as it is
  return (
    <>
      {parts.map((part, i) => (i % 2 === 1 ? <code key={i} className="rounded bg-muted px-1 font-mono text-[0.9em]">{part}</code> : part))}
    </>
  );
}
