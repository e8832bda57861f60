// A module's progress counts its lessons and its labs. Lab ids are prefixed "lab:" so both kinds
// share one set of completed items.
import "server-only";
import type { ModuleMeta } from "@/lib/content/catalogue";
import { labsForModule } from "@/lib/labs/registry";

export function labItemId(labId: string): string {
  return `lab:${labId}`;
}

export function moduleItemIds(courseModule: Pick<ModuleMeta, "slug" | "lessons">): string[] {
  return [...courseModule.lessons.map((l) => l.id), ...labsForModule(courseModule.slug).map((lab) => labItemId(lab.id))];
}
