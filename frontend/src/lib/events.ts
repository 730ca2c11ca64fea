/**
 * Auto-refresh: the server's `/api/events` stream sends `catalog` whenever an artifact changes,
 * and every query is refetched then. The toggle is kept in localStorage.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { API_ROOT } from "@/lib/api";

const KEY = "furu-auto-refresh";

export function useAutoRefreshSetting(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState<boolean>(() => {
    try {
      return localStorage.getItem(KEY) !== "off";
    } catch {
      return true;
    }
  });
  const set = useCallback((value: boolean) => {
    setOn(value);
    try {
      localStorage.setItem(KEY, value ? "on" : "off");
    } catch {
      // storage refused: the setting lasts for this page
    }
  }, []);
  return [on, set];
}

export function useCatalogEvents(enabled: boolean): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    const source = new EventSource(`${API_ROOT}/events`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      // a burst of changes (a sweep finishing) refetches once
      clearTimeout(timer);
      timer = setTimeout(() => void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "health" }), 300);
    };
    // the server sends one event as soon as a stream opens: the first says nothing new
    // (a reconnect's does: changes may have been missed meanwhile)
    let first = true;
    source.addEventListener("catalog", () => {
      if (first) first = false;
      else refresh();
    });
    source.addEventListener("open", () => {
      if (!first) refresh();
    });
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, [enabled, queryClient]);
}
