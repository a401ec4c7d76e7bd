import { describe, expect, it } from "vitest";
import {
  compileTemplate,
  formatTemplateValue,
  renderTemplate,
  TemplateError,
  templateVariables,
} from "../../src/core/template.ts";

describe("templates", () => {
  it("fills {{var}} and {{ var }} and keeps the text around them verbatim", () => {
    const template = compileTemplate("Q: {{question}}\nA ({{ lang }}): {{question}}!");
    expect(template.render({ question: "2+2?", lang: "en" })).toBe("Q: 2+2?\nA (en): 2+2?!");
  });

  it("lists variables in order of first use, each once", () => {
    expect(templateVariables("{{b}} {{ a }} {{b}} {{c.d}}")).toEqual(["b", "a", "c.d"]);
    expect(templateVariables("no variables, {single} braces, {{ }} empty")).toEqual([]);
  });

  it("follows dotted paths, and prefers a key that contains the dot itself", () => {
    expect(renderTemplate("{{a.b.c}}", { a: { b: { c: "deep" } } })).toBe("deep");
    expect(renderTemplate("{{a.b}}", { "a.b": "flat", a: { b: "nested" } })).toBe("flat");
    expect(renderTemplate("{{items.1}}", { items: ["x", "y"] })).toBe("y");
  });

  it("renders objects as JSON, numbers and booleans as text, null as empty, without HTML escaping", () => {
    const values = { obj: { k: [1, "two"] }, n: 4.5, yes: false, nothing: null, html: "<b>&</b>" };
    expect(renderTemplate("{{obj}}|{{n}}|{{yes}}|{{nothing}}|{{html}}", values)).toBe(
      '{"k":[1,"two"]}|4.5|false||<b>&</b>',
    );
    expect(formatTemplateValue([1, 2])).toBe("[1,2]");
  });

  it("throws TemplateError naming the undefined variable", () => {
    const template = compileTemplate("Hello {{name}} from {{place.city}}");
    expect(() => template.render({ name: "Ada" })).toThrow(TemplateError);
    try {
      template.render({ name: "Ada", place: { country: "UK" } });
      expect.unreachable();
    } catch (error) {
      expect((error as TemplateError).variable).toBe("place.city");
      expect((error as Error).message).toContain("`place.city`");
    }
  });

  it("does not read inherited properties", () => {
    expect(() => renderTemplate("{{constructor}}", {})).toThrow(TemplateError);
    expect(() => renderTemplate("{{a.toString}}", { a: {} })).toThrow(TemplateError);
  });

  it("returns the source unchanged when there are no variables", () => {
    const source = "Plain {text} with } braces {{";
    expect(compileTemplate(source).render({})).toBe(source);
  });
});
