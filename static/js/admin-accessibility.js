/*
 * Names for the controls that the Django admin's own scripts build in the browser,
 * which neither its templates nor CSS can reach (WCAG 1.3.1 and 4.1.2). Loaded by
 * templates/admin/base_site.html; a file, as the Content-Security-Policy allows no
 * inline script.
 *
 *  - Autocomplete fields (select2): the box, its text and, when open, its search field
 *    and list of results are named by the field's label. Select2 names them only by
 *    the current choice, so an empty field had no name at all.
 *    When open, the box also says which list it controls.
 *  - Two-box multiple selects (SelectFilter2.js): the search icon in each box's label
 *    carries its description in aria-label, which a plain <span> may not; it becomes
 *    an image, so the description is kept.
 *
 * Widgets appear after this script runs (on load, on "Add another" rows, when a
 * dropdown opens), so the fixes run again whenever the page changes.
 */
"use strict";
{
    function labelOf(id) {
        if (!id) {
            return null;
        }
        const label = document.querySelector(`label[for="${CSS.escape(id)}"]`);
        if (label && !label.id) {
            label.id = `${id}_label`;
        }
        return label;
    }

    function nameAutocompletes() {
        for (const select of document.querySelectorAll("select.admin-autocomplete")) {
            const container = select.nextElementSibling;
            const label = labelOf(select.id);
            if (!label || !container || !container.classList.contains("select2")) {
                continue;
            }
            const selection = container.querySelector(".select2-selection");
            const rendered = container.querySelector(".select2-selection__rendered");
            if (selection) {
                const parts = [label.id];
                if (rendered && rendered.id) {
                    parts.push(rendered.id); // the current choice, after the label
                }
                selection.setAttribute("aria-labelledby", parts.join(" "));
            }
            if (rendered && rendered.getAttribute("role") === "textbox") {
                rendered.setAttribute("aria-labelledby", label.id);
            }
            for (const search of container.querySelectorAll(".select2-search__field")) {
                search.setAttribute("aria-labelledby", label.id);
            }
        }
    }

    function nameOpenDropdowns() {
        for (const results of document.querySelectorAll(".select2-dropdown .select2-results__options[id]")) {
            const match = /^select2-(.+)-results$/.exec(results.id);
            const label = match && labelOf(match[1]);
            if (!label) {
                continue;
            }
            results.setAttribute("aria-labelledby", label.id);
            const dropdown = results.closest(".select2-dropdown");
            for (const search of dropdown.querySelectorAll(".select2-search__field")) {
                search.setAttribute("aria-labelledby", label.id);
            }
        }
    }

    // Select2 points an open box at its list of results with aria-owns; ARIA 1.2
    // asks an expanded combobox for aria-controls.
    function linkOpenResults() {
        for (const selection of document.querySelectorAll(".select2-selection[role=combobox]")) {
            const owns = selection.getAttribute("aria-owns");
            if (selection.getAttribute("aria-expanded") === "true" && owns) {
                selection.setAttribute("aria-controls", owns);
            } else {
                selection.removeAttribute("aria-controls");
            }
        }
    }

    function nameSearchIcons() {
        for (const icon of document.querySelectorAll(".search-label-icon[aria-label]:not([role])")) {
            icon.setAttribute("role", "img");
        }
    }

    function fix() {
        nameAutocompletes();
        nameOpenDropdowns();
        linkOpenResults();
        nameSearchIcons();
    }

    let queued = false;
    new MutationObserver(() => {
        if (!queued) {
            queued = true;
            queueMicrotask(() => {
                queued = false;
                fix();
            });
        }
    }).observe(document.body, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ["aria-expanded"],
    });
    fix();
}
