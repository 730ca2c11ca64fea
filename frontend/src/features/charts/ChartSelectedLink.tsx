/** "Chart selected" on the experiments page: the charts page over exactly these experiments (`/charts?hashes=...`). */
import { Link } from "@tanstack/react-router";
import { ChartLine } from "lucide-react";
import { buttonVariants } from "@/components/ui/button";

export function ChartSelectedLink({ hashes }: { hashes: readonly string[] }) {
  return (
    <Link
      to="/charts"
      search={{ hashes: hashes.join(",") }}
      className={buttonVariants({ variant: "outline", size: "sm" })}
      title="Plot the result files of the selected experiments"
      data-testid="selection-chart"
    >
      <ChartLine />
      Chart selected
    </Link>
  );
}
