/**
 * What presenters hand to the renderers: a tree of typed values. JSON and XML render the same tree,
 * so the two formats cannot drift apart.
 */
export class Decimal {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toJSON(): string {
    return this.text;
  }
}

export type ApiValue = null | string | number | boolean | Date | Decimal | ApiObject | ApiValue[];
export interface ApiObject {
  [element: string]: ApiValue;
}
