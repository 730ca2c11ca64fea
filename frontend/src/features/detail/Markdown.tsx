/** Markdown rendered safely: raw HTML in it is dropped, links open elsewhere, nothing loads by itself. */
import ReactMarkdown from "react-markdown";

export default function Markdown({ text }: { text: string }) {
  return (
    <div className="prose-sm max-w-none space-y-2 rounded-md border border-border p-4 text-sm [&_a]:underline [&_code]:font-mono [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:font-semibold [&_li]:ml-4 [&_li]:list-disc [&_pre]:overflow-auto [&_pre]:bg-muted [&_pre]:p-2" data-testid="file-markdown">
      <ReactMarkdown
        skipHtml
        components={{
          a: ({ href, children }) => <a href={href} target="_blank" rel="noreferrer noopener">{children}</a>,
          // an image from the web would load at view time; show its text instead
          img: ({ alt, src }) => <span className="text-muted-foreground">[image: {alt || src}]</span>,
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
