"""The ground floor: sizes and their bounds, parsing, units, bindings, formula trees and a
worked solution's steps as data. Every other part imports these; they import nothing above."""
